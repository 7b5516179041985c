// runtime.ts: how the agent reaches the container runtime. It codes only against CRI-shaped
// interfaces (RuntimeService + ImageService); openRuntime gives either the in-process
// ContainerRuntime over an FsImageStore or a RuntimeClient on a runtime socket.
import path from 'node:path';
import type { Logger } from 'pino';
import type { ImageService, RuntimeService } from '../runtime/service.js';
import type { ImageStore } from '../runtime/image/types.js';

/** AgentRuntime is the pair of CRI services the agent drives. */
export interface AgentRuntime {
  runtime: RuntimeService;
  images: ImageService;
  /** imageStore is set for an in-process runtime (tests import sample images into it). */
  imageStore?: ImageStore;
  /** close releases the connection or in-process state; containers keep running. */
  close(): Promise<void>;
}

/** OpenRuntimeOptions chooses the runtime. */
export interface OpenRuntimeOptions {
  /** endpoint is a CRI unix socket; when set, the agent is a client of `skiff runtime`. */
  endpoint?: string;
  /** dataDir holds the in-process runtime's state (runtime/) and images (images/). */
  dataDir: string;
  runtime?: 'crun' | 'runc';
  cgroupParent?: string;
  insecureRegistries?: string[];
  newId?: () => string;
  logger?: Logger;
}

/** openRuntime connects to a runtime socket or opens an in-process runtime (adopting what runs). */
export async function openRuntime(opts: OpenRuntimeOptions): Promise<AgentRuntime> {
  if (opts.endpoint) {
    const { RuntimeClient } = await import('../runtime/cri/client.js');
    const client = new RuntimeClient(opts.endpoint);
    await client.waitReady(10_000);
    return { runtime: client, images: client, close: async () => client.close() };
  }
  const { ContainerRuntime } = await import('../runtime/runtime.js');
  const { CriImageService } = await import('../runtime/cri/images.js');
  const { FsImageStore } = await import('../runtime/image/store.js');
  const imageStore = await FsImageStore.open({ root: path.join(opts.dataDir, 'images') });
  const rt = await ContainerRuntime.open({
    stateDir: path.join(opts.dataDir, 'runtime'),
    imageStore,
    runtime: opts.runtime ?? 'crun',
    defaultCgroupParent: opts.cgroupParent,
    newId: opts.newId,
    logger: opts.logger,
  });
  return { runtime: serializeStatusReads(rt), images: new CriImageService(imageStore, opts.insecureRegistries ?? []), imageStore, close: () => rt.close() };
}

/**
 * serializeStatusReads guards two races of the in-process runtime. A status read folds a
 * container's exit into its record, and two reads noticing the same exit race on the record's
 * temp file (ENOENT on rename); and a read during createContainer, before conmon is up, takes
 * the half-made container for dead (exit 255). So status reads (listContainers,
 * containerStatus) run one at a time and never while a createContainer is in flight; creates
 * still run concurrently with each other.
 */
export function serializeStatusReads(rt: RuntimeService): RuntimeService {
  let reading = false;
  let creating = 0;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const wait = () => new Promise<void>((r) => waiters.push(r));
  const read = async <T>(fn: () => Promise<T>): Promise<T> => {
    // The check and the claim must not have an await between them.
    while (reading || creating > 0) await wait();
    reading = true;
    try {
      return await fn();
    } finally {
      reading = false;
      wake();
    }
  };
  // Creates wait only for a read in progress, not for queued ones, so they do not convoy.
  const create = async <T>(fn: () => Promise<T>): Promise<T> => {
    while (reading) await wait();
    creating++;
    try {
      return await fn();
    } finally {
      creating--;
      wake();
    }
  };
  return new Proxy(rt, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      if (prop === 'listContainers' || prop === 'containerStatus') return (...args: unknown[]) => read(() => v.apply(target, args));
      if (prop === 'createContainer') return (...args: unknown[]) => create(() => v.apply(target, args));
      return v.bind(target);
    },
  });
}
