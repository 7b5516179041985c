// node-state.ts: what a node's data dir holds besides the agent: the sample images imported
// into its store, and the brute-force removal of everything the node made — containers,
// conmon processes, mounts, pod network namespaces, cgroups and files — used by
// `skiff cluster down` and by the test harness, also after a crash.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mountPointsUnder } from '../agent/mounter.js';
import { listNetns } from '../network/netns.js';
import { processAlive } from '../runtime/conmon.js';
import { FsImageStore } from '../runtime/image/store.js';
import { buildSampleImages, type SampleImage } from '../runtime/image/samples.js';
import { writeLayoutTar } from '../runtime/image/oci-layout.js';
import { ContainerRuntime } from '../runtime/runtime.js';
import { detectCgroupMode, removeCgroup } from '../runtime/sys/cgroups.js';

/** NodeStateLayout names what one node owns. */
export interface NodeStateLayout {
  dataDir: string;
  cgroupParent: string;
  netnsPrefix: string;
}

let samples: Promise<SampleImage[]> | undefined;

/**
 * importSampleImages loads the sample images (skiff.local/busybox:latest, web:v1, web:v2,
 * crasher, batch) into the store under dataDir/images, as `skiff image import` would. They are
 * built once per process; the archives are written under dataDir/archives.
 */
export async function importSampleImages(dataDir: string): Promise<void> {
  samples ??= buildSampleImages();
  const store = await FsImageStore.open({ root: join(dataDir, 'images') });
  await mkdir(join(dataDir, 'archives'), { recursive: true });
  for (const s of await samples) {
    const f = join(dataDir, 'archives', s.file);
    await writeLayoutTar(s.layout, f);
    await store.importArchive(f);
  }
}

/** removeNodeState removes every container, conmon, mount, pod netns, cgroup and file of a node. */
export async function removeNodeState(layout: NodeStateLayout, opts: { keepFiles?: boolean } = {}): Promise<void> {
  const stateDir = join(layout.dataDir, 'runtime');
  try {
    const store = await FsImageStore.open({ root: join(layout.dataDir, 'images') });
    const rt = await ContainerRuntime.open({ stateDir, imageStore: store, killWaitMs: 3000 });
    for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id).catch(() => undefined);
    for (const c of await rt.listContainers()) await rt.removeContainer(c.id).catch(() => undefined);
  } catch {
    // fall through to the brute-force steps
  }
  for (const kind of ['sandboxes', 'containers']) {
    for (const id of await readdir(join(stateDir, kind)).catch(() => [] as string[])) {
      const pid = Number((await readFile(join(stateDir, kind, id, 'bundle', 'conmon.pid'), 'utf8').catch(() => '0')).trim());
      if (pid > 0 && (await processAlive(pid))) process.kill(pid, 'SIGKILL');
    }
  }
  for (const mp of await mountPointsUnder(layout.dataDir)) {
    try {
      execFileSync('umount', ['-l', mp]);
    } catch {
      // already gone
    }
  }
  for (const n of await listNetns(layout.netnsPrefix)) {
    try {
      execFileSync('ip', ['netns', 'delete', n]);
    } catch {
      // already gone
    }
  }
  try {
    removeCgroup(detectCgroupMode(), layout.cgroupParent);
  } catch {
    // not created
  }
  if (!opts.keepFiles) execFileSync('rm', ['-rf', '--one-file-system', layout.dataDir]);
}
