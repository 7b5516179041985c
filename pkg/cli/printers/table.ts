// table.ts: prints a meta.k8s.io/v1 Table the way kubectl does — upper-cased headers,
// priority-1 columns only with -o wide, NAMESPACE first with -A, "kind/name" when several
// types are printed, LABELS last with --show-labels — aligned like Go's tabwriter
// (padding 3, the last column unpadded).
import type { ObjectMeta } from '../../api/meta.js';

/** TableColumn is one columnDefinitions entry. */
export interface TableColumn {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
}

/** TableRow is one row: its cells and (by default) the object's metadata. */
export interface TableRow {
  cells: unknown[];
  object?: { metadata?: ObjectMeta; kind?: string; apiVersion?: string };
}

/** Table is the server's tabular rendering of a list. */
export interface Table {
  kind?: 'Table';
  columnDefinitions: TableColumn[];
  rows: TableRow[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** TableOptions shape what is printed. */
export interface TableOptions {
  wide?: boolean;
  showLabels?: boolean;
  /** namespaceColumn adds NAMESPACE first (-A). */
  namespaceColumn?: boolean;
  /** kindPrefix names rows "prefix/name" (several types listed, or -o name style). */
  kindPrefix?: string;
  noHeaders?: boolean;
  /** labelColumns are -L keys, each shown as an upper-cased column. */
  labelColumns?: string[];
}

/** formatCell prints one cell as Go's %v would. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '<none>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** formatLabels prints labels as kubectl does: sorted "k=v" joined by commas, or <none>. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

/** tableRows turns a Table into rows of printed cells, the header first unless noHeaders. */
export function tableRows(table: Table, opts: TableOptions = {}): string[][] {
  const cols = table.columnDefinitions ?? [];
  const shown = cols.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || !c.priority);
  const nameIdx = cols.findIndex((c) => c.format === 'name' || c.name === 'Name');
  const out: string[][] = [];
  if (!opts.noHeaders) {
    const header = shown.map(({ c }) => c.name.toUpperCase());
    if (opts.namespaceColumn) header.unshift('NAMESPACE');
    for (const l of opts.labelColumns ?? []) header.push(l.split('/').pop()!.toUpperCase());
    if (opts.showLabels) header.push('LABELS');
    out.push(header);
  }
  for (const row of table.rows ?? []) {
    const meta = row.object?.metadata ?? {};
    const cells = shown.map(({ i }) => {
      const text = formatCell(row.cells[i]);
      return i === nameIdx && opts.kindPrefix ? `${opts.kindPrefix}/${text}` : text;
    });
    if (opts.namespaceColumn) cells.unshift(meta.namespace ?? '');
    for (const l of opts.labelColumns ?? []) cells.push(meta.labels?.[l] ?? '');
    if (opts.showLabels) cells.push(formatLabels(meta.labels));
    out.push(cells);
  }
  return out;
}

/**
 * alignColumns lays rows out like kubectl's tabwriter.NewWriter(w, 6, 4, 3, ' ', 0): every
 * column but the last is as wide as its widest cell + 3, and at least 6.
 */
export function alignColumns(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 6, width(cell) + 3)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i] - width(cell)))).join('') + '\n').join('');
}

// width counts code points, as tabwriter counts runes.
function width(s: string): number {
  return [...s].length;
}

/** printTable renders a Table to text (empty string when there are no rows and no header). */
export function printTable(table: Table, opts: TableOptions = {}): string {
  return alignColumns(tableRows(table, opts));
}
