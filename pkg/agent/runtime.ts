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
 * serializeStatusReads runs listContainers and containerStatus one at a time. The in-process
 * runtime folds a container's exit into its record on whichever read notices it first, and two
 * reads noticing the same exit at once race on the record's temp file (ENOENT on rename), so
 * the PLEG relist and the pod workers must not read concurrently.
 */
export function serializeStatusReads(rt: RuntimeService): RuntimeService {
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  return new Proxy(rt, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      if (prop === 'listContainers' || prop === 'containerStatus') return (...args: unknown[]) => serial(() => v.apply(target, args));
      return v.bind(target);
    },
  });
}
