// volumes.ts: the volume manager. It makes each pod volume a directory under the pod's dir
// (emptyDir on disk or tmpfs, configMap/secret/projected/downwardAPI through the atomic writer,
// hostPath as given), refreshes object-backed volumes on every sync so files follow changes,
// turns volumeMounts into CRI mounts, and tears everything down when the pod goes.
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Container, DownwardAPIVolumeFile, KeyToPath, Pod, Volume } from '../api/core/pod-types.js';
import { tryParseQuantity } from '../api/quantity.js';
import type { Mount } from '../runtime/types.js';
import { writePayload, type Payload } from './atomic-writer.js';
import { fieldRefValue, resourceFieldValue } from './env.js';
import type { Mounter } from './mounter.js';
import { ContainerConfigError, secretValue, type ObjectSource } from './objects.js';

/** VolumeManagerOptions configure a VolumeManager. */
export interface VolumeManagerOptions {
  /** podsDir holds one directory per pod uid. */
  podsDir: string;
  objects: ObjectSource;
  mounter: Mounter;
}

const DEFAULT_MODE = 0o644;

/** VolumeManager prepares and removes pod volumes. */
export class VolumeManager {
  constructor(private readonly opts: VolumeManagerOptions) {}

  /** podDir is where a pod's volumes live. */
  podDir(uid: string): string {
    return path.join(this.opts.podsDir, uid);
  }

  private volumeDir(uid: string, plugin: string, name: string): string {
    return path.join(this.podDir(uid), 'volumes', plugin, name);
  }

  /** setUp makes every volume of the pod ready; returns volume name → host path. */
  async setUp(pod: Pod): Promise<Map<string, string>> {
    const paths = new Map<string, string>();
    for (const v of pod.spec.volumes ?? []) paths.set(v.name, await this.setUpVolume(pod, v));
    return paths;
  }

  private async setUpVolume(pod: Pod, v: Volume): Promise<string> {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? 'default';
    if (v.hostPath) return this.setUpHostPath(v.hostPath.path, v.hostPath.type ?? '');
    if (v.configMap) {
      const dir = this.volumeDir(uid, 'configmap', v.name);
      const cm = this.opts.objects.configMap(ns, v.configMap.name ?? '');
      if (!cm && !v.configMap.optional) throw new ContainerConfigError(`configmap "${v.configMap.name}" not found`);
      const data: Record<string, Buffer> = {};
      for (const [k, val] of Object.entries(cm?.data ?? {})) data[k] = Buffer.from(val);
      for (const [k, val] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(val, 'base64');
      await writePayload(dir, project(data, v.configMap.items, v.configMap.defaultMode, v.configMap.optional, `configmap "${v.configMap.name}"`));
      return dir;
    }
    if (v.secret) {
      const dir = this.volumeDir(uid, 'secret', v.name);
      const s = this.opts.objects.secret(ns, v.secret.secretName ?? '');
      if (!s && !v.secret.optional) throw new ContainerConfigError(`secret "${v.secret.secretName}" not found`);
      const data: Record<string, Buffer> = {};
      for (const k of Object.keys(s?.data ?? {})) data[k] = secretValue(s!, k)!;
      await writePayload(dir, project(data, v.secret.items, v.secret.defaultMode, v.secret.optional, `secret "${v.secret.secretName}"`));
      return dir;
    }
    if (v.downwardAPI) {
      const dir = this.volumeDir(uid, 'downward-api', v.name);
      await writePayload(dir, downwardPayload(pod, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode));
      return dir;
    }
    if (v.projected) {
      const dir = this.volumeDir(uid, 'projected', v.name);
      const payload: Payload = {};
      const mode = v.projected.defaultMode;
      for (const src of v.projected.sources ?? []) {
        if (src.configMap) {
          const cm = this.opts.objects.configMap(ns, src.configMap.name ?? '');
          if (!cm && !src.configMap.optional) throw new ContainerConfigError(`configmap "${src.configMap.name}" not found`);
          const data = Object.fromEntries(Object.entries(cm?.data ?? {}).map(([k, val]) => [k, Buffer.from(val)]));
          Object.assign(payload, project(data, src.configMap.items, mode, src.configMap.optional, `configmap "${src.configMap.name}"`));
        } else if (src.secret) {
          const s = this.opts.objects.secret(ns, src.secret.name ?? '');
          if (!s && !src.secret.optional) throw new ContainerConfigError(`secret "${src.secret.name}" not found`);
          const data = Object.fromEntries(Object.keys(s?.data ?? {}).map((k) => [k, secretValue(s!, k)!]));
          Object.assign(payload, project(data, src.secret.items, mode, src.secret.optional, `secret "${src.secret.name}"`));
        } else if (src.downwardAPI) {
          Object.assign(payload, downwardPayload(pod, src.downwardAPI.items ?? [], mode));
        }
        // serviceAccountToken sources are skipped: Skiff has no token issuer yet.
      }
      await writePayload(dir, payload);
      return dir;
    }
    if (v.emptyDir || !hasKnownSource(v)) {
      const dir = this.volumeDir(uid, 'empty-dir', v.name);
      await mkdir(dir, { recursive: true, mode: 0o777 });
      if (v.emptyDir?.medium === 'Memory' && !(await this.opts.mounter.isMountPoint(dir))) {
        const size = v.emptyDir.sizeLimit !== undefined ? tryParseQuantity(v.emptyDir.sizeLimit)?.value() : undefined;
        await this.opts.mounter.mountTmpfs(dir, size);
      }
      return dir;
    }
    throw new ContainerConfigError(`volume "${v.name}": this volume type is not supported by Skiff`);
  }

  private async setUpHostPath(p: string, type: string): Promise<string> {
    const st = await stat(p).catch(() => undefined);
    switch (type) {
      case 'DirectoryOrCreate':
        if (!st) await mkdir(p, { recursive: true, mode: 0o755 });
        else if (!st.isDirectory()) throw new ContainerConfigError(`hostPath ${p} is not a directory`);
        break;
      case 'Directory':
        if (!st?.isDirectory()) throw new ContainerConfigError(`hostPath type check failed: ${p} is not a directory`);
        break;
      case 'FileOrCreate':
        if (!st) {
          await mkdir(path.dirname(p), { recursive: true });
          await writeFile(p, '', { mode: 0o644 });
        } else if (!st.isFile()) throw new ContainerConfigError(`hostPath ${p} is not a file`);
        break;
      case 'File':
        if (!st?.isFile()) throw new ContainerConfigError(`hostPath type check failed: ${p} is not a file`);
        break;
      case 'Socket':
        if (!st?.isSocket()) throw new ContainerConfigError(`hostPath type check failed: ${p} is not a socket`);
        break;
      default:
        break;
    }
    return p;
  }

  /** mountsFor turns a container's volumeMounts into CRI mounts (object-backed volumes are read-only). */
  mountsFor(pod: Pod, c: Container, volumePaths: Map<string, string>): Mount[] {
    const byName = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
    return (c.volumeMounts ?? []).map((vm) => {
      const hostPath = volumePaths.get(vm.name);
      const vol = byName.get(vm.name);
      if (!hostPath || !vol) throw new ContainerConfigError(`volumeMount "${vm.name}" names no volume of the pod`);
      const readOnlySource = Boolean(vol.configMap || vol.secret || vol.projected || vol.downwardAPI);
      const sub = vm.subPath ?? '';
      if (sub && (path.isAbsolute(sub) || sub.split('/').includes('..'))) throw new ContainerConfigError(`invalid subPath ${sub}`);
      return {
        containerPath: vm.mountPath,
        hostPath: sub ? path.join(hostPath, sub) : hostPath,
        readonly: Boolean(vm.readOnly) || readOnlySource,
        propagation: vm.mountPropagation === 'HostToContainer' ? 'PROPAGATION_HOST_TO_CONTAINER' : vm.mountPropagation === 'Bidirectional' ? 'PROPAGATION_BIDIRECTIONAL' : 'PROPAGATION_PRIVATE',
      } satisfies Mount;
    });
  }

  /** ensureSubPaths creates missing subPath directories inside writable volumes. */
  async ensureSubPaths(mounts: Mount[], c: Container): Promise<void> {
    for (const vm of c.volumeMounts ?? []) {
      if (!vm.subPath) continue;
      const m = mounts.find((x) => x.containerPath === vm.mountPath);
      if (m && !(await stat(m.hostPath).catch(() => undefined))) await mkdir(m.hostPath, { recursive: true });
    }
  }

  /** tearDown unmounts and removes everything of the pod (hostPath volumes are left alone). */
  async tearDown(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    for (const mp of await this.opts.mounter.mountPointsUnder(dir)) await this.opts.mounter.unmount(mp).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }

  /** knownPods lists the pod uids that have a directory (for cleanup of pods gone while the agent was down). */
  async knownPods(): Promise<string[]> {
    const { readdir } = await import('node:fs/promises');
    return readdir(this.opts.podsDir).catch(() => [] as string[]);
  }
}

function hasKnownSource(v: Volume): boolean {
  return Boolean(v.hostPath || v.configMap || v.secret || v.projected || v.downwardAPI || v.persistentVolumeClaim || v.nfs || v.image);
}

function project(data: Record<string, Buffer>, items: KeyToPath[] | undefined, defaultMode = DEFAULT_MODE, optional = false, what = ''): Payload {
  const out: Payload = {};
  if (!items || items.length === 0) {
    for (const [k, d] of Object.entries(data)) out[k] = { data: d, mode: defaultMode };
    return out;
  }
  for (const it of items) {
    const d = data[it.key];
    if (!d) {
      if (optional) continue;
      throw new ContainerConfigError(`couldn't find key ${it.key} in ${what}`);
    }
    out[it.path] = { data: d, mode: it.mode ?? defaultMode };
  }
  return out;
}

function downwardPayload(pod: Pod, items: DownwardAPIVolumeFile[], defaultMode = DEFAULT_MODE): Payload {
  const out: Payload = {};
  for (const it of items) {
    let value = '';
    if (it.fieldRef) {
      const fp = it.fieldRef.fieldPath;
      if (fp === 'metadata.labels' || fp === 'metadata.annotations') {
        const m = (fp === 'metadata.labels' ? pod.metadata.labels : pod.metadata.annotations) ?? {};
        value = Object.keys(m).sort().map((k) => `${k}=${JSON.stringify(m[k])}`).join('\n');
      } else value = fieldRefValue(pod, fp);
    } else if (it.resourceFieldRef) {
      const c = pod.spec.containers.find((x) => x.name === it.resourceFieldRef!.containerName) ?? pod.spec.containers[0]!;
      value = resourceFieldValue(c, it.resourceFieldRef.resource, it.resourceFieldRef.divisor);
    }
    out[it.path] = { data: Buffer.from(value), mode: it.mode ?? defaultMode };
  }
  return out;
}
