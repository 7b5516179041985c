import test from 'ava';
import { extractGlobalFlags, parseDuration, parseFlags } from './flags.js';
import { UserError } from './io.js';

test('global flags are taken from anywhere before "--"', (t) => {
  const cases = [
    { name: 'separate values', argv: ['get', '-n', 'kube-system', 'pods', '--context', 'c1'], globals: { namespace: 'kube-system', context: 'c1' }, rest: ['get', 'pods'] },
    { name: 'equals form', argv: ['--namespace=x', 'get', 'pods', '--kubeconfig=/k'], globals: { namespace: 'x', kubeconfig: '/k' }, rest: ['get', 'pods'] },
    { name: 'glued short', argv: ['get', '-nfoo', 'pods'], globals: { namespace: 'foo' }, rest: ['get', 'pods'] },
    { name: 'after --', argv: ['exec', 'p', '--', 'ls', '-n', 'x'], globals: {}, rest: ['exec', 'p', '--', 'ls', '-n', 'x'] },
    { name: 'timeout', argv: ['--request-timeout', '5s', 'version'], globals: { requestTimeoutMs: 5000 }, rest: ['version'] },
  ];
  for (const c of cases) {
    const got = extractGlobalFlags(c.argv);
    t.deepEqual(got.globals, c.globals, c.name);
    t.deepEqual(got.rest, c.rest, c.name);
  }
});

test('a global flag without its value is a user error', (t) => {
  t.throws(() => extractGlobalFlags(['get', '-n']), { instanceOf: UserError });
});

test('parseFlags accepts -o=yaml, -oyaml, and keeps what follows --', (t) => {
  const opts = { output: { type: 'string' as const, short: 'o' }, stdin: { type: 'boolean' as const, short: 'i' }, tty: { type: 'boolean' as const, short: 't' } };
  t.is(parseFlags<{ output?: string }>('get', ['-o=yaml'], opts).values.output, 'yaml');
  t.is(parseFlags<{ output?: string }>('get', ['-oyaml'], opts).values.output, 'yaml');
  const p = parseFlags<{ stdin?: boolean; tty?: boolean }>('exec', ['-it', 'pod', '--', 'sh', '-c', 'echo -o'], opts);
  t.true(p.values.stdin && p.values.tty);
  t.deepEqual(p.positionals, ['pod']);
  t.deepEqual(p.afterDash, ['sh', '-c', 'echo -o']);
  const err = t.throws(() => parseFlags('get', ['--bogus'], opts), { instanceOf: UserError });
  t.regex(err!.message, /^get: Unknown option '--bogus'/);
});

test('parseDuration reads kubectl durations', (t) => {
  t.is(parseDuration('30s'), 30_000);
  t.is(parseDuration('2m'), 120_000);
  t.is(parseDuration('500ms'), 500);
  t.is(parseDuration('7'), 7000);
  t.throws(() => parseDuration('soon'), { instanceOf: UserError });
});

test('booleans take =true and =false, as kubectl\'s do', (t) => {
  const opts = { wait: { type: 'boolean' as const, default: true }, force: { type: 'boolean' as const } };
  t.false(parseFlags<{ wait: boolean }>('delete', ['--wait=false'], opts).values.wait);
  t.true(parseFlags<{ wait: boolean }>('delete', [], opts).values.wait);
  t.true(parseFlags<{ force?: boolean }>('delete', ['--force=true'], opts).values.force);
});
