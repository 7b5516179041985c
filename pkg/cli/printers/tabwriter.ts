// tabwriter.ts: Go's text/tabwriter, which kubectl's describe and history output go through:
// cells end at tabs, a column block is a run of consecutive lines that have a cell in that
// column, and each block is as wide as its widest cell plus padding (and at least minWidth).

/** tabwrite aligns tab-separated text exactly as tabwriter.NewWriter(w, minWidth, 8, padding, ' ', 0). */
export function tabwrite(text: string, minWidth = 0, padding = 2): string {
  const trailingNewline = text.endsWith('\n');
  const lines = (trailingNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map(() => []);
  format(lines, 0, lines.length, 0, minWidth, padding, widths);
  const out = lines.map((cells, i) => cells.map((c, j) => (j < cells.length - 1 ? c + ' '.repeat(Math.max(0, widths[i][j] - width(c))) : c)).join(''));
  return out.join('\n') + (trailingNewline ? '\n' : '');
}

function format(lines: string[][], line0: number, line1: number, col: number, minWidth: number, padding: number, widths: number[][]): void {
  let i = line0;
  while (i < line1) {
    if (col >= lines[i].length - 1) {
      i++;
      continue;
    }
    const start = i;
    let w = minWidth;
    for (; i < line1 && col < lines[i].length - 1; i++) w = Math.max(w, width(lines[i][col]) + padding);
    for (let j = start; j < i; j++) widths[j][col] = w;
    format(lines, start, i, col + 1, minWidth, padding, widths);
  }
}

function width(s: string): number {
  return [...s].length;
}

/** alignColumnsPadded lays out rows of cells with the given tabwriter settings. */
export function alignColumnsPadded(rows: string[][], minWidth: number, padding: number): string {
  return tabwrite(rows.map((r) => r.join('\t')).join('\n') + '\n', minWidth, padding);
}
