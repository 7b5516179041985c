// `skiff image import|ls|pull|rm` against a real image store in a temp agent data dir, a
// runtime's CRI socket, and Debian's docker-registry on loopback.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../pkg/cli/testing/harness.js';
import { humanSize, imageRows, splitRepoTag } from '../../pkg/cli/commands/image.js';
import { writeLayoutTar } from '../../pkg/runtime/image/oci-layout.js';
import { pushLayout } from '../../pkg/runtime/image/push.js';
import { buildSampleImages } from '../../pkg/runtime/image/samples.js';
import { FsImageStore } from '../../pkg/runtime/image/store.js';
import { startRuntimeServer } from '../../pkg/runtime/cri/server.js';
import { removeTree } from '../../pkg/runtime/sys/mount.js';
import { startRegistry } from '../lib/registry.js';

test('ls helpers: sizes as crictl prints them, repo and tag split at the tag colon', (t) => {
  const cases = [
    { name: 'bytes', bytes: 999, want: '999B' },
    { name: 'kB', bytes: 1234, want: '1.234kB' },
    { name: 'MB', bytes: 1_500_000, want: '1.5MB' },
  ];
  for (const c of cases) t.is(humanSize(c.bytes), c.want, c.name);
  t.deepEqual(splitRepoTag('127.0.0.1:5000/web:v1'), ['127.0.0.1:5000/web', 'v1']);
  t.deepEqual(splitRepoTag('127.0.0.1:5000/web'), ['127.0.0.1:5000/web', '<none>']);
  t.deepEqual(imageRows([{ id: 'sha256:0123456789abcdef', repoTags: [], repoDigests: [], size: 10, uid: null, username: '', spec: null, pinned: false }])[1], ['<none>', '<none>', '0123456789abc', '10B']);
});

test('import an OCI layout archive, list, pull from a loopback registry, remove; ls over a runtime socket', async (t) => {
  const dir = await mkdtemp('/tmp/skifftest-cli-image-');
  t.teardown(() => removeTree(dir));
  const registry = await startRegistry();
  t.teardown(() => registry.stop());
  const [busybox] = await buildSampleImages();
  const archive = path.join(dir, busybox!.file);
  await writeLayoutTar(busybox!.layout, archive);
  const dataDir = path.join(dir, 'agent');

  const imp = await runCli(['image', 'import', archive, '--data-dir', dataDir]);
  t.is(imp.code, 0, imp.stderr);
  const imageId = /^Imported skiff\.local\/busybox:latest (sha256:[0-9a-f]{64})\n$/.exec(imp.stdout)?.[1];
  t.truthy(imageId, imp.stdout);
  const short = imageId!.slice(7, 20);

  let ls = await runCli(['image', 'ls', '--data-dir', dataDir]);
  t.is(ls.code, 0, ls.stderr);
  t.regex(ls.stdout, new RegExp(`^REPOSITORY\\s+TAG\\s+IMAGE ID\\s+SIZE\\n\\S*skiff.local/busybox\\s+latest\\s+${short}\\s+\\d[\\d.]*[kM]?B\\n$`));

  await pushLayout(busybox!.layout, `${registry.host}/team/busybox:1.0`, { insecureRegistries: [registry.host] });
  const refused = await runCli(['image', 'pull', `${registry.host}/team/busybox:1.0`, '--data-dir', dataDir]);
  t.is(refused.code, 1, 'plain HTTP needs --insecure-registry');
  const pull = await runCli(['image', 'pull', `${registry.host}/team/busybox:1.0`, '--data-dir', dataDir, '--insecure-registry', registry.host]);
  t.is(pull.code, 0, pull.stderr);
  t.is(pull.stdout, `Image is up to date for ${imageId}\n`);

  ls = await runCli(['image', 'ls', '--data-dir', dataDir]);
  const rows = ls.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 3));
  t.deepEqual(rows, [
    [`${registry.host}/team/busybox`, '1.0', short],
    ['skiff.local/busybox', 'latest', short],
  ]);

  const del = await runCli(['image', 'rm', 'skiff.local/busybox:latest', '--data-dir', dataDir]);
  t.is(del.code, 0, del.stderr);
  t.is(del.stdout, 'Deleted: skiff.local/busybox:latest\n');
  t.is((await runCli(['image', 'rm', 'nope:1', '--data-dir', dataDir])).code, 1);
  t.deepEqual((await runCli(['image', 'ls', '-q', '--data-dir', dataDir])).stdout, `${imageId}\n`);

  // the same store behind a runtime socket: ls, pull (the runtime's insecure registries), rm
  const store = await FsImageStore.open({ root: path.join(dataDir, 'images') });
  const server = await startRuntimeServer({ socketPath: path.join(dir, 'cri.sock'), stateDir: path.join(dir, 'runtime'), imageStore: store, insecureRegistries: [registry.host] });
  t.teardown(() => server.close());
  const ep = ['--runtime-endpoint', server.socketPath];
  t.regex((await runCli(['image', 'ls', ...ep])).stdout, new RegExp(`team/busybox\\s+1\\.0\\s+${short}`));
  t.is((await runCli(['image', 'import', archive, ...ep])).code, 1, 'CRI has no import');
  await pushLayout(busybox!.layout, `${registry.host}/other/busybox:2`, { insecureRegistries: [registry.host] });
  t.is((await runCli(['image', 'pull', `${registry.host}/other/busybox:2`, ...ep])).stdout, `Image is up to date for ${imageId}\n`);
  t.is((await runCli(['image', 'rm', `${registry.host}/team/busybox:1.0`, ...ep])).code, 0);
  t.deepEqual((await store.list()).map((i) => i.repoTags), [[`${registry.host}/other/busybox:2`]]);
  await rm(archive);
});
