import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, constants as fsConstants, openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunOnCreateEnv, StartGateEnv, wrapperScript } from './cli.js';
import { StartGate } from '../gate.js';

const cases = [
  { name: 'plain runtime: exec with --root', hide: false, perl: '/usr/bin/perl', arch: 'x64', want: /^#!\/bin\/sh\n(if .*\n)+exec '\/usr\/bin\/crun' --root '\/r o'\\''t' "\$@"\n$/ },
  { name: 'hybrid host, perl, x64: syscalls in perl', hide: true, perl: '/usr/bin/perl', arch: 'x64', want: /^#!\/usr\/bin\/perl\n[\s\S]*syscall\(272, [\s\S]*syscall\(165, [\s\S]*syscall\(166, [\s\S]*'--root', '\/r o\\'t', @ARGV/ },
  { name: 'hybrid host, perl, arm64: its syscall numbers', hide: true, perl: '/usr/bin/perl', arch: 'arm64', want: /syscall\(97, [\s\S]*syscall\(40, [\s\S]*syscall\(39, / },
  { name: 'hybrid host, no perl: unshare and umount', hide: true, perl: undefined, arch: 'x64', want: /^#!\/bin\/sh\n(if .*\n)+exec unshare -m --propagation slave .*umount -l \/sys\/fs\/cgroup\/unified/ },
  { name: 'hybrid host, unknown arch: unshare and umount', hide: true, perl: '/usr/bin/perl', arch: 'riscv64', want: /^#!\/bin\/sh\n(if .*\n)+exec unshare -m/ },
];
for (const c of cases) {
  test(`wrapperScript: ${c.name}`, (t) => {
    t.regex(wrapperScript('/usr/bin/crun', "/r o't", c.hide, c.perl, c.arch), c.want);
  });
}

test('wrapperScript: the perl wrapper compiles', async (t) => {
  if (!existsSync('/usr/bin/perl')) return t.pass('no perl on this host');
  const dir = await mkdtemp('/tmp/skiff-wrapper-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'crun');
  await writeFile(file, wrapperScript('/usr/bin/crun', "/r o't", true, '/usr/bin/perl', 'x64'));
  // perl -c exits non-zero (and execFileSync throws) on a syntax error; quoting is the risk here.
  t.notThrows(() => execFileSync('/usr/bin/perl', ['-c', file], { stdio: 'ignore' }));
});

// The wrapper's create → run --detach rewrite, run for real with a fake runtime that prints its
// arguments (the perl form unshares a mount namespace: root only, as the runtime itself).
const forms = [
  { name: 'sh', hide: false, perl: undefined },
  { name: 'perl', hide: true, perl: '/usr/bin/perl' },
];
for (const f of forms) {
  test(`wrapperScript (${f.name}): create becomes run --detach only with ${RunOnCreateEnv}=1`, async (t) => {
    if (f.perl && (!existsSync(f.perl) || process.getuid?.() !== 0)) return t.pass('needs perl and root');
    const dir = await mkdtemp('/tmp/skiff-wrapper-');
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const fake = path.join(dir, 'fake-runtime');
    await writeFile(fake, '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
    const wrapper = path.join(dir, 'wrapper');
    await writeFile(wrapper, wrapperScript(fake, '/r', f.hide, f.perl, 'x64'), { mode: 0o755 });
    const out = (env: Record<string, string>, args: string[]) => execFileSync(wrapper, args, { env: { ...process.env, ...env } }).toString().trim();
    t.is(out({ [RunOnCreateEnv]: '1' }, ['create', '--bundle', 'b', 'id']), '--root /r run --detach --bundle b id');
    t.is(out({}, ['create', '--bundle', 'b', 'id']), '--root /r create --bundle b id');
    t.is(out({ [RunOnCreateEnv]: '1' }, ['state', 'id']), '--root /r state id');
  });
}

// The start gate (gate.ts): a `create` waits at the FIFO for "1", gives up on anything else or
// when nobody holds the gate any more; other commands never look at it.
function runWrapper(wrapper: string, env: Record<string, string>, args: string[]): { done: Promise<{ code: number | null; out: string; err: string }>; exited: () => boolean } {
  const child = spawn(wrapper, args, { env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  let exited = false;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('close', (code) => {
      exited = true;
      resolve({ code, out: out.trim(), err: err.trim() });
    }),
  );
  return { done, exited: () => exited };
}

for (const f of forms) {
  test(`wrapperScript (${f.name}): create waits at the start gate; 1 runs, 0 or a closed gate cancels`, async (t) => {
    if (f.perl && (!existsSync(f.perl) || process.getuid?.() !== 0)) return t.pass('needs perl and root');
    const dir = await mkdtemp('/tmp/skiff-gate-');
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const fake = path.join(dir, 'fake-runtime');
    await writeFile(fake, '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
    const wrapper = path.join(dir, 'wrapper');
    await writeFile(wrapper, wrapperScript(fake, '/r', f.hide, f.perl, 'x64'), { mode: 0o755 });
    const env = (gate: StartGate) => ({ [StartGateEnv]: gate.path, [RunOnCreateEnv]: '1' });
    const args = ['create', '--bundle', 'b', 'id'];

    const open = StartGate.create(path.join(dir, 'gate-open'));
    const waiting = runWrapper(wrapper, env(open), args);
    await new Promise((r) => setTimeout(r, 300));
    t.false(waiting.exited(), 'waits while the gate is shut');
    open.open();
    t.deepEqual(await waiting.done, { code: 0, out: '--root /r run --detach --bundle b id', err: '' });
    open.close();

    // opened before the wrapper gets there: the byte waits in the FIFO
    const early = StartGate.create(path.join(dir, 'gate-early'));
    early.open();
    t.is((await runWrapper(wrapper, env(early), args).done).code, 0);
    early.close();

    const cancelled = StartGate.create(path.join(dir, 'gate-cancel'));
    const c = runWrapper(wrapper, env(cancelled), args);
    await new Promise((r) => setTimeout(r, 100));
    cancelled.cancel();
    const cr = await c.done;
    t.is(cr.code, f.perl ? 255 : 1); // perl's die
    t.is(cr.out, '', 'the runtime did not run');
    t.regex(cr.err, /start cancelled/);

    const dropped = StartGate.create(path.join(dir, 'gate-dropped'));
    const d = runWrapper(wrapper, env(dropped), args);
    await new Promise((r) => setTimeout(r, 100));
    dropped.close(); // the runtime holding it died
    const dr = await d.done;
    t.not(dr.code, 0);
    t.is(dr.out, '');

    if (f.perl) {
      // nobody holds the gate any more when the wrapper arrives: it gives up instead of waiting
      const orphan = StartGate.create(path.join(dir, 'gate-orphan'));
      orphan.close();
      const o = await runWrapper(wrapper, env(orphan), args).done;
      t.not(o.code, 0);
      t.is(o.out, '');
    }

    // other commands never wait at the gate
    const unused = StartGate.create(path.join(dir, 'gate-unused'));
    t.is((await runWrapper(wrapper, env(unused), ['state', 'id']).done).out, '--root /r state id');
    unused.close();
    // a second holder (a test's own fd) keeps a dropped gate alive, as a stale runtime's would
    const held = StartGate.create(path.join(dir, 'gate-held'));
    const fd = openSync(held.path, fsConstants.O_RDWR | fsConstants.O_NONBLOCK);
    held.close();
    const h = runWrapper(wrapper, env(held), args);
    await new Promise((r) => setTimeout(r, 200));
    t.false(h.exited());
    closeSync(fd);
    t.not((await h.done).code, 0);
  });
}
