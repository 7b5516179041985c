// env.ts: the test environment of controller unit tests: an in-memory API server (pkg/client's
// FakeApiServer), a real RestClient and informer factory over it, a fake clock for the
// controllers' own time, and helpers to wait until the caches caught up.
import type { KubeObject } from '../../api/meta.js';
import type { ResourceRef } from '../../client/descriptor.js';
import { type InformerRequest, SharedInformerFactory } from '../../client/factory.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Keyed } from '../../client/store.js';
import { silentLogger } from '../../client/logger.js';
import { RestClient } from '../../client/rest.js';
import { FakeApiServer } from '../../client/testing/fake_apiserver.js';
import { FakeClock } from '../../client/testing/fake_clock.js';
import { EventRecorder } from '../events.js';
import type { ControllerContext } from '../context.js';

/** TrackingFactory is a SharedInformerFactory that remembers the informers it made. */
export class TrackingFactory extends SharedInformerFactory {
  readonly made = new Set<SharedIndexInformer<any>>();

  override informerFor<T extends Keyed = KubeObject>(ref: ResourceRef, req: InformerRequest<T> = {}): SharedIndexInformer<T> {
    const informer = super.informerFor<T>(ref, req);
    this.made.add(informer);
    return informer;
  }
}

/** FakeEnv is a started fake API server with a client, informers and a controller context. */
export interface FakeEnv {
  server: FakeApiServer;
  client: RestClient;
  informers: TrackingFactory;
  clock: FakeClock;
  recorder: EventRecorder;
  ctx: ControllerContext;
  /** start runs the informers and waits for their caches. */
  start(): Promise<void>;
  /** settle waits until every informer has seen the server's current revision. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** startFakeEnv starts a fake API server and wires a controller context to it. */
export async function startFakeEnv(start = Date.UTC(2024, 0, 1)): Promise<FakeEnv> {
  const server = new FakeApiServer();
  const url = await server.start();
  const client = new RestClient({ server: url, maxRetries: 0 });
  const informers = new TrackingFactory(client, { logger: silentLogger() });
  const clock = new FakeClock(start);
  const recorder = new EventRecorder(undefined, { component: 'test', clock });
  const abort = new AbortController();
  const env: FakeEnv = {
    server,
    client,
    informers,
    clock,
    recorder,
    ctx: { client, informers, clock, logger: silentLogger(), recorder },
    async start() {
      informers.start(abort.signal);
      await informers.waitForCacheSync(abort.signal);
    },
    async settle() {
      // A bookmark at the current revision tells every watch how far the server is; once each
      // informer's lastSyncResourceVersion reaches it, the caches hold every earlier write.
      const target = Number(server.revision);
      const infs = [...informers.made];
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        server.sendBookmarks();
        await new Promise((r) => setTimeout(r, 5));
        if (infs.every((i) => Number(i.lastSyncResourceVersion || 0) >= target)) return;
      }
      throw new Error('informers did not catch up with the fake API server');
    },
    async stop() {
      abort.abort();
      await informers.shutdown();
      client.close();
      await server.stop();
    },
  };
  return env;
}

/** seedAs stores obj under a resource key of the fake server ("/v1/pods", "apps/v1/replicasets"). */
export function seedAs(server: FakeApiServer, resourceKey: string, obj: KubeObject): KubeObject {
  return server.seed(resourceKey, obj);
}
