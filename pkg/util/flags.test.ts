import test from 'ava';
import { parseFlags } from './flags.js';

function capture(fn: () => unknown): { result: unknown; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const [o, e] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
  try {
    return { result: fn(), out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

const options = { 'state-dir': { type: 'string' as const }, repeat: { type: 'string' as const, multiple: true, default: [] as string[] } };

test('values of known flags, with defaults', (t) => {
  const { result } = capture(() => parseFlags(['--state-dir', '/x', '--repeat', 'a', '--repeat', 'b'], options, 'USAGE\n'));
  t.like(result as object, { 'state-dir': '/x', repeat: ['a', 'b'], help: false });
});

test('an unknown flag: exit code 2, the error and usage on stderr', (t) => {
  const { result, err, out } = capture(() => parseFlags(['--nope'], options, 'USAGE\n'));
  t.is(result, 2);
  t.regex(err, /Unknown option '--nope'[\s\S]*USAGE/);
  t.is(out, '');
});

test('-h and --help: exit code 0, usage on stdout', (t) => {
  for (const flag of ['-h', '--help']) {
    const { result, out } = capture(() => parseFlags([flag], options, 'USAGE\n'));
    t.is(result, 0);
    t.is(out, 'USAGE\n');
  }
});
