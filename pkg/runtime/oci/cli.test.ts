import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunOnCreateEnv, wrapperScript } from './cli.js';

const cases = [
  { name: 'plain runtime: exec with --root', hide: false, perl: '/usr/bin/perl', arch: 'x64', want: /^#!\/bin\/sh\nif .*\nexec '\/usr\/bin\/crun' --root '\/r o'\\''t' "\$@"\n$/ },
  { name: 'hybrid host, perl, x64: syscalls in perl', hide: true, perl: '/usr/bin/perl', arch: 'x64', want: /^#!\/usr\/bin\/perl\n[\s\S]*syscall\(272, [\s\S]*syscall\(165, [\s\S]*syscall\(166, [\s\S]*'--root', '\/r o\\'t', @ARGV/ },
  { name: 'hybrid host, perl, arm64: its syscall numbers', hide: true, perl: '/usr/bin/perl', arch: 'arm64', want: /syscall\(97, [\s\S]*syscall\(40, [\s\S]*syscall\(39, / },
  { name: 'hybrid host, no perl: unshare and umount', hide: true, perl: undefined, arch: 'x64', want: /^#!\/bin\/sh\nif .*\nexec unshare -m --propagation slave .*umount -l \/sys\/fs\/cgroup\/unified/ },
  { name: 'hybrid host, unknown arch: unshare and umount', hide: true, perl: '/usr/bin/perl', arch: 'riscv64', want: /^#!\/bin\/sh\nif .*\nexec unshare -m/ },
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
