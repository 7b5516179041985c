// The sample images really run: import them, stack their layers with overlayfs and chroot in.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeLayoutTar } from './oci-layout.js';
import { buildSampleImages } from './samples.js';
import { FsImageStore } from './store.js';
import { mountOverlay, tempDir } from './testutil.js';
import type { ImageRecord } from './types.js';

async function importSamples(t: any): Promise<{ records: Map<string, ImageRecord>; dir: string }> {
  const dir = tempDir(t, 'samples');
  const store = await FsImageStore.open({ root: join(dir, 'store') });
  const records = new Map<string, ImageRecord>();
  for (const s of await buildSampleImages()) {
    const file = join(dir, s.file);
    await writeLayoutTar(s.layout, file);
    const [rec] = await store.importArchive(file);
    records.set(s.name, rec!);
  }
  return { records, dir };
}

/** runIn mounts the image's layers and runs its Cmd (or argv) chrooted, with the image's Env. */
function runIn(t: any, dir: string, rec: ImageRecord, argv?: string[]) {
  const mnt = join(dir, `mnt-${rec.id.slice(7, 19)}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(mnt);
  // A read-only overlay needs two lowerdirs; pad single-layer images with an empty one.
  const empty = `${mnt}-empty`;
  mkdirSync(empty);
  mountOverlay(t, [...rec.layerDirs].reverse().concat(rec.layerDirs.length === 1 ? [empty] : []), mnt);
  const env = Object.fromEntries((rec.config.config?.Env ?? []).map((e) => e.split(/=(.*)/s).slice(0, 2)));
  const cmd = argv ?? rec.config.config?.Cmd ?? [];
  return spawnSync('chroot', [mnt, ...cmd], { env, encoding: 'utf8', timeout: 10_000 });
}

test('sample images run: batch counts, crasher exits 1, web serves its page from /www', async (t) => {
  const { records, dir } = await importSamples(t);
  const batch = runIn(t, dir, records.get('skiff.local/batch:latest')!);
  t.is(batch.status, 0, batch.stderr);
  t.is(batch.stdout, '1\n2\n3\n4\n5\n');
  const crasher = runIn(t, dir, records.get('skiff.local/crasher:latest')!);
  t.is(crasher.status, 1);
  t.regex(crasher.stdout, /crasher/);
  const v2 = records.get('skiff.local/web:v2')!;
  t.is(runIn(t, dir, v2, ['cat', '/www/index.html']).stdout, 'web v2\n');
  t.is(runIn(t, dir, v2, ['cat', '/www/healthz']).stdout, 'ok\n');
  const sh = runIn(t, dir, records.get('skiff.local/busybox:latest')!, ['sh', '-c', 'echo $PATH; id -u; ls /tmp && test -x /bin/wget && echo fine']);
  t.is(sh.status, 0, sh.stderr);
  t.is(sh.stdout, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n0\nfine\n');
});
