// run.ts: `npm run bench` — runs every benchmark under test/bench/ as a child process, one after
// another, each bounded in time (and all of them by --budget), collects the BENCH lines they
// print (see report.ts) into one JSON file and a markdown table, and rewrites the section of
// docs/benchmarks.md between `<!-- bench:begin -->` and `<!-- bench:end -->` with the table and
// the machine it ran on.
//
//   npm run bench                          all benches; docs updated
//   npm run bench -- --only api,scheduler  some benches; docs left alone unless --docs (the
//                                          other benches' figures are kept from the previous results)
//   npm run bench -- --out /tmp/b.json     results elsewhere (a .md table is written beside it)
//
// Each bench's full output goes to bench-results/<name>.log. A bench that times out is sent
// SIGTERM, then SIGKILL, as a process group (it was started as the leader of its own group, so
// the etcd and `skiff server` it started go with it).
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseBenchLines, type BenchFigure } from './report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..', '..');

/** BenchSpec is one benchmark script and how it is run here. */
interface BenchSpec {
  name: string;
  file: string;
  args: string[];
  timeoutSec: number;
  /** optional benches are skipped quietly when their script does not exist yet. */
  optional?: boolean;
}

// Sizes keep the whole run near 10 minutes on a loaded 2-core machine (plus ≤ 5 for the agent
// bench, which bounds itself with --max-seconds); the scheduler bench keeps the issue's 10,000
// pods on 1,000 nodes.
const BENCHES: BenchSpec[] = [
  { name: 'api', file: 'api.ts', args: ['--creates', '5000', '--watchers', '0', '--pods', '10000'], timeoutSec: 180 },
  { name: 'watch', file: 'watch.ts', args: ['--watchers', '1000', '--updates', '10'], timeoutSec: 120 },
  { name: 'rss', file: 'rss.ts', args: ['--pods', '1000', '--nodes', '20'], timeoutSec: 150 },
  { name: 'scheduler', file: 'scheduler.ts', args: ['--nodes', '1000', '--pods', '10000', '--max-seconds', '150'], timeoutSec: 420 },
  { name: 'network', file: 'network.ts', args: ['--pods', '30', '--seconds', '3'], timeoutSec: 180 },
  { name: 'runtime', file: 'runtime.ts', args: [], timeoutSec: 180, optional: true },
  { name: 'runtime-runc', file: 'runtime.ts', args: ['--runtime', 'runc', '--runs', '20', '--parallel', '50'], timeoutSec: 180, optional: true },
  { name: 'pull', file: 'pull.ts', args: ['--runs', '5'], timeoutSec: 120, optional: true },
  { name: 'agent', file: 'agent.ts', args: ['--runs', '50', '--pods', '100', '--max-seconds', '285'], timeoutSec: 330 },
  { name: 'cluster', file: 'cluster.ts', args: ['--replicas', '20'], timeoutSec: 600 },
];

/** BenchRun is the outcome of one bench. */
interface BenchRun {
  name: string;
  status: 'ok' | 'failed' | 'timeout' | 'skipped';
  exitCode?: number | null;
  seconds?: number;
  note?: string;
  figures: BenchFigure[];
}

/** Machine describes where the figures were measured. */
interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  os: string;
  node: string;
  etcd: string;
  date: string;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
}

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    out: { type: 'string', default: 'bench-results/latest.json' },
    docs: { type: 'boolean' },
    'no-docs': { type: 'boolean' },
    'docs-file': { type: 'string', default: 'docs/benchmarks.md' },
    budget: { type: 'string', default: '1000' },
    list: { type: 'boolean' },
  },
});

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function machine(): Machine {
  let etcd = 'unknown';
  try {
    etcd = /etcd Version: (\S+)/.exec(execFileSync('etcd', ['--version'], { encoding: 'utf8' }))?.[1] ?? etcd;
  } catch {
    // etcd missing: the benches that need it will fail and say so
  }
  let osName = `${os.type()} ${os.release()}`;
  try {
    osName = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osName;
  } catch {
    // not Linux
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    os: osName,
    node: process.version,
    etcd,
    date: new Date().toISOString(),
    loadAverageStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

let current: { pid: number } | undefined;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (current) killGroup(current.pid, 'SIGTERM');
    const pid = current?.pid;
    setTimeout(() => {
      if (pid) killGroup(pid, 'SIGKILL');
      process.exit(130);
    }, 5000).unref();
    if (!pid) process.exit(130);
  });
}

async function runBench(spec: BenchSpec, timeoutSec: number, logDir: string): Promise<BenchRun> {
  const file = join(HERE, spec.file);
  if (!existsSync(file)) return { name: spec.name, status: 'skipped', note: `${spec.file} does not exist`, figures: [] };
  const started = performance.now();
  const logFile = join(logDir, `${spec.name}.log`);
  const logStream = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...spec.args], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  current = { pid: child.pid! };
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    logStream.write(d);
  });
  child.stderr.on('data', (d: Buffer) => logStream.write(d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    log(`${spec.name}: no result after ${timeoutSec} s; stopping it`);
    killGroup(child.pid!, 'SIGTERM');
    setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 10_000).unref();
  }, timeoutSec * 1000);
  const exitCode = await new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  clearTimeout(timer);
  current = undefined;
  // The group may still hold grandchildren (etcd) if the bench died without cleaning up.
  killGroup(child.pid!, 'SIGKILL');
  await new Promise<void>((r) => logStream.end(() => r()));
  const figures = parseBenchLines(stdout).map((f) => ({ ...f, bench: f.bench ?? spec.name }));
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const status = timedOut ? 'timeout' : exitCode === 0 ? 'ok' : 'failed';
  const note = status === 'ok' ? undefined : `exit ${exitCode}; see ${logFile}`;
  return { name: spec.name, status, exitCode, seconds, note, figures };
}

function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(v);
}

/** markdown renders the machine, a table of every figure, and the benches that gave none. */
function markdown(m: Machine, runs: BenchRun[]): string {
  const lines: string[] = [];
  lines.push(`Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\` on: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, kernel ${m.kernel}, Node ${m.node}, etcd ${m.etcd}.`);
  lines.push(`Load average ${m.loadAverageStart.join(' / ')} at the start and ${(m.loadAverageEnd ?? []).join(' / ')} at the end (1/5/15 min): the machine is shared, so compare ratios to same-run baselines rather than absolute rates.`);
  lines.push('');
  lines.push('| bench | figure | value | baseline (same run) | ratio | goal |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const run of runs) {
    for (const f of run.figures) {
      const baseline = f.baseline === undefined ? '—' : `${fmt(f.baseline)} ${f.unit}${f.baselineLabel ? ` (${f.baselineLabel})` : ''}`;
      lines.push(`| ${run.name} | ${f.label} | **${fmt(f.value)} ${f.unit}** | ${baseline} | ${f.ratio === undefined ? '—' : fmt(f.ratio)} | ${f.goal ?? '—'} |`);
    }
  }
  const missing = runs.filter((r) => r.status !== 'ok' || r.figures.length === 0 || r.note);
  if (missing.length) {
    lines.push('');
    for (const r of missing) lines.push(`- ${r.name}: ${r.status}${r.figures.length === 0 && r.status === 'ok' ? ' (printed no BENCH line)' : ''}${r.note ? ` — ${r.note}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

const BEGIN = '<!-- bench:begin -->';
const END = '<!-- bench:end -->';

/** updateDocs replaces the marked section (re-read just before writing, as others edit the file too). */
function updateDocs(path: string, table: string): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const section = `${BEGIN}\n${table}${END}`;
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  const next = b >= 0 && e > b ? text.slice(0, b) + section + text.slice(e + END.length) : `${text.trimEnd()}\n\n## Latest run\n\n${section}\n`;
  writeFileSync(path, next);
}

async function main(): Promise<number> {
  if (values.list) {
    for (const b of BENCHES) process.stdout.write(`${b.name}\t${b.file} ${b.args.join(' ')}\t(timeout ${b.timeoutSec} s)\n`);
    return 0;
  }
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown?.length) {
    log(`unknown bench(es): ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = BENCHES.filter((b) => !only || only.includes(b.name));
  const outPath = resolve(REPO_ROOT, values.out!);
  const logDir = join(REPO_ROOT, 'bench-results');
  mkdirSync(dirname(outPath), { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const m = machine();
  const deadline = performance.now() + Number(values.budget) * 1000;
  const runs: BenchRun[] = [];
  for (const spec of selected) {
    const remaining = Math.floor((deadline - performance.now()) / 1000);
    if (remaining < 20) {
      runs.push({ name: spec.name, status: 'skipped', note: `the run's budget (--budget ${values.budget} s) was spent`, figures: [] });
      continue;
    }
    const timeoutSec = Math.min(spec.timeoutSec, remaining);
    log(`${spec.name}: running ${spec.file} ${spec.args.join(' ')} (at most ${timeoutSec} s)`);
    const run = await runBench(spec, timeoutSec, logDir);
    if (run.status === 'skipped' && spec.optional) log(`${spec.name}: ${run.note}; skipped`);
    else log(`${spec.name}: ${run.status} in ${run.seconds} s, ${run.figures.length} figure(s)${run.note ? ` (${run.note})` : ''}`);
    runs.push(run);
  }
  m.loadAverageEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const kept = runs.filter((r) => !(r.status === 'skipped' && BENCHES.find((b) => b.name === r.name)?.optional));
  if (only && existsSync(outPath)) {
    // Keep the figures of the benches not run this time, marked with the run they came from.
    try {
      const previous = JSON.parse(readFileSync(outPath, 'utf8')) as { machine: Machine; benches: BenchRun[] };
      for (const r of previous.benches) {
        if (selected.some((b) => b.name === r.name)) continue;
        const from = `figures from the run of ${previous.machine.date.slice(0, 16).replace('T', ' ')} UTC`;
        kept.push({ ...r, note: r.note?.includes('figures from the run of') ? r.note : [from, r.note].filter(Boolean).join('; ') });
      }
      kept.sort((a, b) => BENCHES.findIndex((x) => x.name === a.name) - BENCHES.findIndex((x) => x.name === b.name));
    } catch (err) {
      log(`could not merge ${outPath}: ${(err as Error).message}`);
    }
  }
  const table = markdown(m, kept);
  writeFileSync(outPath, JSON.stringify({ machine: m, benches: kept, figures: kept.flatMap((r) => r.figures) }, null, 2) + '\n');
  const mdPath = join(dirname(outPath), `${basename(outPath, '.json')}.md`);
  writeFileSync(mdPath, table);
  const docs = values['no-docs'] ? false : (values.docs ?? !only);
  if (docs) {
    updateDocs(resolve(REPO_ROOT, values['docs-file']!), table);
    log(`updated ${values['docs-file']}`);
  }
  log(`wrote ${outPath} and ${mdPath}`);
  process.stdout.write(table);
  return kept.every((r) => r.status === 'ok' || r.status === 'skipped') ? 0 : 1;
}

process.exitCode = await main();
