// report.ts: the one machine-readable line each benchmark prints per figure, which
// test/bench/run.ts collects:
//
//   BENCH {"bench":"api","name":"create_rate","label":"…","value":579,"unit":"/s","baseline":1204,…}
//
// A figure carries the baseline it was measured against in the same run (when it has one) and
// their ratio, so results from a loaded machine can still be compared.

/** BenchFigure is one measured figure. */
export interface BenchFigure {
  /** bench is the script that measured it (api, scheduler, …). */
  bench: string;
  /** name is a stable identifier within the bench. */
  name: string;
  /** label says in words what was measured (shown in tables). */
  label: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineLabel?: string;
  /** ratio is value / baseline. */
  ratio?: number;
  /** goal is the target the issues set, in words ("≥ 1,000 pods/s"). */
  goal?: string;
}

/** BENCH_PREFIX starts every machine-readable line. */
export const BENCH_PREFIX = 'BENCH ';

/** round keeps n significant decimals (numbers in reports, not in measurements). */
export function round(v: number, decimals = 1): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

/** emit prints one figure as a BENCH line; the ratio is filled in from the baseline. */
export function emit(figure: BenchFigure): void {
  const f = { ...figure };
  if (f.ratio === undefined && f.baseline !== undefined && f.baseline !== 0) f.ratio = round(f.value / f.baseline, 3);
  process.stdout.write(`${BENCH_PREFIX}${JSON.stringify(f)}\n`);
}

/** parseBenchLines picks the BENCH lines out of a bench's output; malformed lines are skipped. */
export function parseBenchLines(text: string): BenchFigure[] {
  const out: BenchFigure[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(BENCH_PREFIX)) continue;
    try {
      const f = JSON.parse(line.slice(BENCH_PREFIX.length)) as BenchFigure;
      if (typeof f.name === 'string' && typeof f.value === 'number') out.push(f);
    } catch {
      // not a figure
    }
  }
  return out;
}

/** rssBytes reads a process's resident set size from /proc (0 if it is gone). */
export async function rssBytes(pid: number | undefined): Promise<number> {
  if (!pid) return 0;
  const { readFile } = await import('node:fs/promises');
  try {
    const m = /VmRSS:\s+(\d+)\s*kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
