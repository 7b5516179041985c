// static-pods.ts: pods the agent runs from files in a directory, without the API server (kubelet's
// staticPodPath, its "file" config source). Each *.yaml/*.yml/*.json file holds one or more Pod
// documents. As kubelet does, a static pod is named "<name>-<nodeName>", bound to this node, and
// its uid is a hash of the pod, the node and the file, so a changed file is a new pod (the old one
// is stopped, the new one started) while an unchanged file keeps its pod across agent restarts.
//
//   DIR ──fs.watch (debounced) + rescan every 20 s──► StaticPodSource.scan ─► onChange(pods)
//                                                      (only when the set of uids changed)
import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';
import type { Logger } from 'pino';
import { defaultPod } from '../api/core/pod-defaults.js';
import type { Pod } from '../api/core/pod-types.js';
import { validatePod } from '../api/core/pod-validation.js';
import type { OwnerReference } from '../api/meta.js';

/** ConfigSourceAnnotation says where a pod came from ("file" for static pods, "api" otherwise). */
export const ConfigSourceAnnotation = 'kubernetes.io/config.source';
/** ConfigHashAnnotation holds a static pod's hash (its uid on this node). */
export const ConfigHashAnnotation = 'kubernetes.io/config.hash';
/** ConfigMirrorAnnotation marks a mirror pod; its value is the hash of the static pod it mirrors. */
export const ConfigMirrorAnnotation = 'kubernetes.io/config.mirror';
/** FileSource is the config source of static pods read from files. */
export const FileSource = 'file';

/** ManifestExtensions are the file name endings read from the manifest directory. */
export const ManifestExtensions = ['.yaml', '.yml', '.json'];

/** staticPodName is the name a static pod gets on a node: "<name>-<nodeName>" (kubelet's generatePodName). */
export function staticPodName(name: string, nodeName: string): string {
  return `${name}-${nodeName.toLowerCase()}`;
}

/** isStaticPod is true for a pod read from a file (not from the API server). */
export function isStaticPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[ConfigSourceAnnotation] === FileSource && !isMirrorPod(pod);
}

/** isMirrorPod is true for the API object that stands for a static pod. */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[ConfigMirrorAnnotation] !== undefined;
}

/** fullName is the "namespace/name" key that ties a static pod to its mirror pod. */
export function fullName(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
}

function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${canonicalJSON(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * staticPodHash is the hash kubelet uses as a file pod's uid: md5 over the (defaulted) pod as
 * written, then "host:<node>" and "file:<path>". Key order in the file does not matter.
 */
export function staticPodHash(pod: Pod, nodeName: string, source: string): string {
  return createHash('md5').update(canonicalJSON(pod)).update(`host:${nodeName}`).update(`file:${source}`).digest('hex');
}

/** ManifestResult is what one file yields: pods to run and documents that were rejected. */
export interface ManifestResult {
  pods: Pod[];
  errors: string[];
}

/**
 * parseManifest turns the text of one manifest file into static pods for nodeName, applying
 * kubelet's file-source defaults: the pod defaults, namespace "default", name "<name>-<node>",
 * spec.nodeName, the hash as uid and in kubernetes.io/config.hash, config.source "file", a
 * toleration of every NoExecute taint, and phase Pending. Documents that are not valid Pods are
 * reported in errors and skipped.
 */
export function parseManifest(text: string, source: string, nodeName: string): ManifestResult {
  const out: ManifestResult = { pods: [], errors: [] };
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text);
  } catch (e) {
    out.errors.push(`${source}: ${(e as Error).message.split('\n')[0]}`);
    return out;
  }
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) return;
    const where = docs.length > 1 ? `${source} (document ${i + 1})` : source;
    const obj = doc as Partial<Pod> & { kind?: string; apiVersion?: string };
    if (typeof doc !== 'object' || obj.kind !== 'Pod' || (obj.apiVersion ?? 'v1') !== 'v1') {
      out.errors.push(`${where}: not a v1 Pod (kind ${String(obj?.kind)}, apiVersion ${String(obj?.apiVersion)})`);
      return;
    }
    if (!obj.metadata?.name) {
      out.errors.push(`${where}: metadata.name is required`);
      return;
    }
    const pod = structuredClone(obj) as Pod;
    // A uid, status or server-set field in a file means nothing here: the hash is the uid.
    const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, ...meta } = pod.metadata;
    pod.metadata = meta;
    delete pod.status;
    pod.metadata.namespace ||= 'default';
    defaultPod(pod);
    const hash = staticPodHash(pod, nodeName, source);
    pod.metadata.uid = hash;
    pod.metadata.name = staticPodName(pod.metadata.name!, nodeName);
    pod.spec.nodeName = nodeName;
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [ConfigHashAnnotation]: hash, [ConfigSourceAnnotation]: FileSource };
    delete pod.metadata.annotations[ConfigMirrorAnnotation];
    const tolerations = (pod.spec.tolerations ??= []);
    if (!tolerations.some((t) => t.operator === 'Exists' && !t.key && t.effect === 'NoExecute')) tolerations.push({ operator: 'Exists', effect: 'NoExecute' });
    pod.status = { ...(pod.status ?? {}), phase: 'Pending' };
    const errs = validatePod(pod);
    if (errs.length) {
      out.errors.push(`${where}: invalid pod: ${errs.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
      return;
    }
    out.pods.push(pod);
  });
  return out;
}

/** isManifestFile: *.yaml, *.yml or *.json, not hidden (editors' swap and temp files start with "."). */
export function isManifestFile(name: string): boolean {
  return !name.startsWith('.') && ManifestExtensions.some((ext) => name.endsWith(ext));
}

/**
 * mirrorPodFor is the API object for a static pod: the same metadata and spec, no uid or status,
 * kubernetes.io/config.mirror = the static pod's hash, and the Node as controller owner (so the
 * garbage collector removes it with the Node), as kubelet's mirror client builds it.
 */
export function mirrorPodFor(staticPod: Pod, node: { name: string; uid: string }): Pod {
  const { uid: _uid, resourceVersion: _rv, ...meta } = staticPod.metadata;
  const owner: OwnerReference = { apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...meta, annotations: { ...(meta.annotations ?? {}), [ConfigMirrorAnnotation]: staticPod.metadata.annotations?.[ConfigHashAnnotation] ?? staticPod.metadata.uid ?? '' }, ownerReferences: [owner] },
    spec: structuredClone(staticPod.spec),
  };
}

/** isMirrorOf is true when mirror stands for this version of the static pod (same hash). */
export function isMirrorOf(mirror: Pod, staticPod: Pod): boolean {
  return isMirrorPod(mirror) && mirror.metadata.annotations![ConfigMirrorAnnotation] === staticPod.metadata.annotations?.[ConfigHashAnnotation];
}

/** StaticPodSourceOptions configure a StaticPodSource. */
export interface StaticPodSourceOptions {
  /** dir is the manifest directory (kubelet's staticPodPath). */
  dir: string;
  nodeName: string;
  /** onChange receives every static pod whenever the set of pod uids changed. */
  onChange: (pods: Pod[]) => void;
  logger: Logger;
  /** resyncMs: how often the directory is read again besides fs.watch (default 20 s, kubelet's fileCheckFrequency). */
  resyncMs?: number;
  /** debounceMs: how long after a change event the directory is read (default 200 ms). */
  debounceMs?: number;
}

/** StaticPodSource watches a manifest directory and reports the static pods it defines. */
export class StaticPodSource {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private stopped = false;
  private scanning: Promise<void> = Promise.resolve();
  private lastKey?: string;
  /** byFile keeps each file's last good pods: a file that fails to parse keeps its pods running. */
  private readonly byFile = new Map<string, { mtimeMs: number; size: number; pods: Pod[] }>();
  private readonly dir: string;
  private readonly log: Logger;

  constructor(private readonly o: StaticPodSourceOptions) {
    this.dir = path.resolve(o.dir);
    this.log = o.logger.child({ component: 'static-pods', dir: this.dir });
  }

  /** start reads the directory once (onChange is called before it resolves) and then keeps watching. */
  async start(): Promise<void> {
    await this.rescan();
    this.watchDir();
    const tick = () => {
      if (this.stopped) return;
      this.watchDir();
      void this.rescan().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.o.resyncMs ?? 20_000);
      });
    };
    this.timer = setTimeout(tick, this.o.resyncMs ?? 20_000);
  }

  private watchDir(): void {
    if (this.watcher || this.stopped) return;
    try {
      this.watcher = watch(this.dir, () => {
        if (this.debounce) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.rescan(), this.o.debounceMs ?? 200);
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined; // the directory went away: the periodic rescan tries again
      });
    } catch {
      // No directory (yet): kubelet keeps polling for it too.
    }
  }

  /** rescan reads the directory now (serialized with other scans). */
  rescan(): Promise<void> {
    this.scanning = this.scanning.then(() => this.scan()).catch((err) => this.log.warn({ err: (err as Error).message }, 'reading the manifest directory failed'));
    return this.scanning;
  }

  private async scan(): Promise<void> {
    if (this.stopped) return;
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter(isManifestFile).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      names = [];
    }
    const seen = new Set<string>();
    for (const name of names) {
      const file = path.join(this.dir, name);
      const st = await stat(file).catch(() => undefined);
      if (!st?.isFile()) continue;
      seen.add(file);
      const known = this.byFile.get(file);
      if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) continue;
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const { pods, errors } = parseManifest(text, file, this.o.nodeName);
      for (const err of errors) this.log.error({ file }, `static pod manifest rejected: ${err}`);
      if (errors.length && !pods.length && known) continue; // keep what ran until the file is fixed
      this.byFile.set(file, { mtimeMs: st.mtimeMs, size: st.size, pods });
    }
    for (const file of [...this.byFile.keys()]) if (!seen.has(file)) this.byFile.delete(file);
    // One pod per full name: the first file (in name order) wins, as kubelet keeps the first.
    const byName = new Map<string, Pod>();
    for (const [file, { pods }] of [...this.byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const pod of pods) {
        if (byName.has(fullName(pod))) this.log.error({ file, pod: fullName(pod) }, 'a static pod with this name already exists; ignored');
        else byName.set(fullName(pod), pod);
      }
    }
    const pods = [...byName.values()];
    const key = pods.map((p) => p.metadata.uid).sort().join(',');
    if (key === this.lastKey || this.stopped) return;
    this.lastKey = key;
    this.log.info({ pods: pods.map(fullName) }, 'static pods changed');
    this.o.onChange(pods);
  }

  /** stop ends watching. */
  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
  }
}
