// fixtures.ts: test helpers for the runtime: a busybox rootfs as a one-layer image, a fake
// ImageStore serving it, config builders, and an environment that removes everything it made.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageRecord, ImageStore, OciImageConfig } from '../image/types.js';
import { ContainerRuntime, type RuntimeOptions } from '../runtime.js';
import { removeTree } from '../sys/mount.js';
import { detectCgroupMode, removeCgroup } from '../sys/cgroups.js';
import type { ContainerConfig, PodSandboxConfig } from '../types.js';
import { processAlive } from '../conmon.js';
import type { OciRuntimeName } from '../oci/cli.js';

/** testRuntimes lists the low-level runtimes the container tests run with: SKIFF_TEST_RUNTIMES
 * (comma-separated, e.g. "crun" for a quick run), by default both crun and runc. */
export function testRuntimes(): OciRuntimeName[] {
  const names = (process.env.SKIFF_TEST_RUNTIMES ?? 'crun,runc').split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (n !== 'crun' && n !== 'runc') throw new Error(`SKIFF_TEST_RUNTIMES: unknown runtime ${n}`);
  return names as OciRuntimeName[];
}

/** busyboxImageRef is the reference the fake store answers to. */
export const busyboxImageRef = 'skifftest/busybox:latest';

/** makeBusyboxRootfs builds a rootfs with /bin/busybox and a symlink per applet. */
export async function makeBusyboxRootfs(dir: string, busybox = '/bin/busybox'): Promise<string> {
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'home/app']) await mkdir(path.join(dir, d), { recursive: true });
  await copyFile(busybox, path.join(dir, 'bin', 'busybox'));
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) await symlink('busybox', path.join(dir, 'bin', a));
  await writeFile(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n');
  await writeFile(path.join(dir, 'etc', 'group'), 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n');
  await writeFile(path.join(dir, 'etc', 'motd'), 'from the image\n');
  return dir;
}

/** FakeImageStore serves fixed images from directories; it implements only what the runtime uses. */
export class FakeImageStore implements ImageStore {
  readonly images: ImageRecord[] = [];
  readonly used: string[] = [];

  add(ref: string, layerDirs: string[], config: OciImageConfig['config'] = {}): ImageRecord {
    const rec: ImageRecord = {
      id: `sha256:${randomBytes(32).toString('hex')}`,
      repoTags: [ref],
      repoDigests: [],
      size: 1234,
      config: { architecture: 'amd64', os: 'linux', config },
      layerDirs,
      lastUsed: 0,
    };
    this.images.push(rec);
    return rec;
  }

  async pull(ref: string): Promise<ImageRecord> {
    const rec = await this.get(ref);
    if (!rec) throw new Error(`fake store cannot pull ${ref}`);
    return rec;
  }
  async importArchive(): Promise<ImageRecord[]> {
    throw new Error('not in the fake store');
  }
  async get(ref: string): Promise<ImageRecord | undefined> {
    return this.images.find((i) => i.id === ref || i.repoTags.includes(ref));
  }
  async list(): Promise<ImageRecord[]> {
    return [...this.images];
  }
  async remove(ref: string): Promise<void> {
    const i = this.images.findIndex((r) => r.id === ref || r.repoTags.includes(ref));
    if (i >= 0) this.images.splice(i, 1);
  }
  async markUsed(id: string): Promise<void> {
    this.used.push(id);
  }
  async gc(): Promise<string[]> {
    return [];
  }
  async fsInfo(): Promise<{ mountpoint: string; usedBytes: number; inodesUsed: number }> {
    return { mountpoint: '/tmp', usedBytes: 1234, inodesUsed: 10 };
  }
}

/** newSandboxConfig builds a pod sandbox config. */
export function newSandboxConfig(env: TestEnv, overrides: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const name = overrides.metadata?.name ?? `pod-${randomBytes(3).toString('hex')}`;
  return {
    metadata: { name, namespace: 'default', uid: randomBytes(8).toString('hex'), attempt: 0 },
    hostname: name,
    logDirectory: path.join(env.dir, 'logs', name),
    labels: { app: 'skifftest' },
    ...overrides,
    linux: { cgroupParent: env.cgroupParent, ...(overrides.linux ?? {}) },
  };
}

/** newContainerConfig builds a container config running the busybox image. */
export function newContainerConfig(overrides: Partial<ContainerConfig> = {}): ContainerConfig {
  const name = overrides.metadata?.name ?? 'main';
  return {
    metadata: { name, attempt: 0 },
    image: { image: busyboxImageRef },
    logPath: `${name}/0.log`,
    ...overrides,
  };
}

/** TestEnv is a private runtime universe: temp dir, image store, cgroup parent. */
export interface TestEnv {
  prefix: string;
  dir: string;
  stateDir: string;
  cgroupParent: string;
  store: FakeImageStore;
  runtimes: ContainerRuntime[];
  /** newId makes ids with the env's unique prefix. */
  newId: () => string;
  /** runtime is the low-level runtime open() uses unless told otherwise. */
  runtime: OciRuntimeName;
  /** open starts a (new) runtime over the env's state dir. */
  open(overrides?: Partial<RuntimeOptions>): Promise<ContainerRuntime>;
  cleanup(): Promise<void>;
}

/** newTestEnv makes an environment; call cleanup in t.teardown. */
export async function newTestEnv(runtime: OciRuntimeName = 'crun'): Promise<TestEnv> {
  const prefix = `skifftest-${randomBytes(4).toString('hex')}`;
  const dir = await mkdtemp(`/tmp/${prefix}-`);
  const layer = await makeBusyboxRootfs(path.join(dir, 'layer'));
  const store = new FakeImageStore();
  store.add(busyboxImageRef, [layer], { Env: ['PATH=/bin', 'IMAGE_VAR=from-image'], Cmd: ['sh'], WorkingDir: '/' });
  let counter = 0;
  let runtimeName: RuntimeOptions['runtime'] = runtime;
  const env: TestEnv = {
    prefix,
    dir,
    stateDir: path.join(dir, 'state'),
    cgroupParent: `/${prefix}`,
    store,
    runtime,
    runtimes: [],
    newId: () => `${prefix}-${++counter}-${randomBytes(4).toString('hex')}`,
    async open(overrides = {}) {
      runtimeName = overrides.runtime ?? runtime;
      const rt = await ContainerRuntime.open({
        stateDir: env.stateDir,
        imageStore: store,
        newId: env.newId,
        ...overrides,
        runtime: runtimeName,
      });
      env.runtimes.push(rt);
      return rt;
    },
    async cleanup() {
      // A fresh runtime adopts whatever is left and removes it through the normal path.
      try {
        const rt = await ContainerRuntime.open({ stateDir: env.stateDir, imageStore: store, runtime: runtimeName, killWaitMs: 3000 });
        for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id).catch(() => undefined);
        for (const c of await rt.listContainers()) await rt.removeContainer(c.id).catch(() => undefined);
      } catch {
        // fall through to the brute-force cleanup below
      }
      // Anything still alive (a failed removal): kill conmon by the pid it recorded.
      for (const kind of ['sandboxes', 'containers']) {
        const base = path.join(env.stateDir, kind);
        for (const id of await readdir(base).catch(() => [] as string[])) {
          const pid = Number((await readFile(path.join(base, id, 'bundle', 'conmon.pid'), 'utf8').catch(() => '0')).trim());
          if (await processAlive(pid)) process.kill(pid, 'SIGKILL');
        }
      }
      await removeTree(dir);
      removeCgroup(detectCgroupMode(), env.cgroupParent);
    },
  };
  return env;
}
