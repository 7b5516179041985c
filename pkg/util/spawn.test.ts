import test from 'ava';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { exitCode, exited, runCommand, SpawnError, spawnProcess, spawnProcessAsync } from './spawn.js';

function readAll(s: net.Socket | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    s!.on('data', (d: Buffer) => (out += d.toString()));
    s!.once('end', () => resolve(out));
    s!.once('error', reject);
  });
}

test('runs with argv, env, cwd and output pipes on fds 1 and 3; wait gives the exit code', async (t) => {
  const child = spawnProcess('/bin/sh', ['-c', 'echo "$0 $FOO $(pwd)"; echo sync >&3; exit 7', 'arg0'], {
    env: { FOO: 'bar', PATH: '/usr/bin:/bin', UNSET: undefined },
    cwd: '/tmp',
    stdio: ['ignore', 'pipe', 'ignore', 'pipe'],
  });
  t.true(child.pid > 0);
  const [out, sync] = await Promise.all([readAll(child.pipes[1]), readAll(child.pipes[3])]);
  t.is(out, 'arg0 bar /tmp\n');
  t.is(sync, 'sync\n');
  t.is(exitCode(await child.wait()), 7);
});

test('the child has its own session, default signal dispositions, nothing blocked, and only the given env', async (t) => {
  // Node ignores SIGPIPE; the child must not inherit that.
  const child = spawnProcess('/bin/sh', ['-c', 'cat /proc/self/status | grep -E "^(SigIgn|SigBlk)"; cut -d" " -f6 /proc/$$/stat; echo pid $$; env | grep -c .'], {
    env: { A: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    setsid: true,
  });
  const out = await readAll(child.pipes[1]);
  await child.wait();
  const lines = out.trim().split('\n');
  t.regex(lines.find((l) => l.startsWith('SigIgn'))!, /^SigIgn:\s+0+$/);
  t.regex(lines.find((l) => l.startsWith('SigBlk'))!, /^SigBlk:\s+0+$/);
  const pid = lines[3].split(' ')[1];
  t.is(lines[2], pid, 'session id is the child pid');
  // sh adds PWD (and SHLVL, _ in some shells); A is there, nothing of ours beyond it
  t.true(Number(lines[4]) <= 4);
});

test('tryReap: undefined while running, then the status once it ended', async (t) => {
  const child = spawnProcess('/bin/sh', ['-c', 'sleep 0.2; exit 3'], { env: {}, stdio: [] });
  t.is(child.tryReap(), undefined);
  let status: number | undefined;
  for (let i = 0; i < 100 && status === undefined; i++) {
    await new Promise((r) => setTimeout(r, 20));
    status = child.tryReap();
  }
  t.is(exitCode(status!), 3);
  t.is(exitCode(await child.wait()), 3, 'wait after a reap gives the same status');
});

test('a missing binary is a SpawnError with ENOENT', (t) => {
  const err = t.throws(() => spawnProcess('/nonexistent/skifftest-bin', [], { env: {}, stdio: [] }));
  t.true(err instanceof SpawnError);
  t.is((err as SpawnError).errno, 2);
});

test.serial('spawnProcessAsync: the same child, started from the threadpool; a failure rejects and closes the pipes', async (t) => {
  const child = await spawnProcessAsync('/bin/sh', ['-c', 'echo "$0 $FOO"; exit 5', 'async'], { env: { FOO: 'baz' }, stdio: ['ignore', 'pipe'], setsid: true });
  t.true(child.pid > 0);
  t.is(await readAll(child.pipes[1]), 'async baz\n');
  t.is(exitCode(await child.wait()), 5);
  // a failed spawn rejects with the errno, and leaves no pipe open
  const fdsBefore = readdirSync('/proc/self/fd').length;
  const err = await t.throwsAsync(spawnProcessAsync('/nonexistent/skifftest-bin', [], { env: {}, stdio: ['ignore', 'pipe'] }));
  t.true(err instanceof SpawnError);
  t.is((err as SpawnError).errno, 2);
  t.is(readdirSync('/proc/self/fd').length, fdsBefore);
});

test('runCommand: stdout, stderr and exit code; a command past its timeout is killed', async (t) => {
  const env = { PATH: '/usr/bin:/bin' };
  t.deepEqual(await runCommand('/bin/sh', ['-c', 'echo out; echo err >&2; exit 3'], { env }), { code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  const started = Date.now();
  const slow = await runCommand('/bin/sh', ['-c', 'echo before; exec sleep 30'], { env, timeoutMs: 300 });
  t.true(Date.now() - started < 10_000);
  t.is(slow.code, 128 + 9);
  t.true(slow.timedOut);
  t.is(slow.stdout, 'before\n');
});

test('runCommand: input on stdin, a file name looked up in PATH, and a child that does not read its input', async (t) => {
  const env = { PATH: '/usr/bin:/bin' };
  t.is((await runCommand('cat', [], { env, input: 'through stdin\n' })).stdout, 'through stdin\n');
  // 1 MiB for a child that never reads it: our write fails with EPIPE, which is not an error of the command
  t.is((await runCommand('true', [], { env, input: 'x'.repeat(1 << 20) })).code, 0);
  const part = await runCommand('sh', ['-c', 'head -c 5; exit 2'], { env, input: 'abcdefgh' });
  t.deepEqual([part.code, part.stdout], [2, 'abcde']);
  const err = await t.throwsAsync(runCommand('skifftest-no-such-command', [], { env }));
  t.true(err instanceof SpawnError);
});

test('a file descriptor of ours as the child\'s stdout and stderr; exited() reaps a child without pipes', async (t) => {
  const dir = mkdtempSync('/tmp/skifftest-spawn-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fd = openSync(`${dir}/out`, 'w');
  const child = await spawnProcessAsync('/bin/sh', ['-c', 'echo to-file; echo err-too >&2; exit 4'], { env: {}, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  t.deepEqual(child.pipes, [undefined, undefined, undefined]);
  t.is(exitCode(await exited(child)), 4);
  t.is(readFileSync(`${dir}/out`, 'utf8'), 'to-file\nerr-too\n');
});
