// writer.ts: kubectl's describe PrefixWriter — lines at indentation levels, cells separated by
// tabs, aligned at the end by Go's tabwriter (padding 2).
import { tabwrite } from '../printers/tabwriter.js';

/** DescribeWriter collects describe output. */
export class DescribeWriter {
  private readonly lines: string[] = [];

  /** line writes one line at a level (2 spaces each); cells are separated by tabs. */
  line(level: number, ...cells: (string | number | boolean)[]): void {
    this.lines.push('  '.repeat(level) + cells.map(String).join('\t'));
  }

  /** map writes "Title:\tk=v" with further entries on their own lines, or <none>. */
  map(level: number, title: string, m: Record<string, string> | undefined, sep = '='): void {
    const keys = Object.keys(m ?? {}).sort();
    if (!keys.length) return this.line(level, `${title}:`, '<none>');
    keys.forEach((k, i) => (i === 0 ? this.line(level, `${title}:`, `${k}${sep}${m![k]}`) : this.line(level, '', `${k}${sep}${m![k]}`)));
  }

  /** text is the aligned output. */
  text(): string {
    return tabwrite(this.lines.join('\n') + '\n', 0, 2);
  }
}
