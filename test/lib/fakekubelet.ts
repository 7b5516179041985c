// fakekubelet.ts: plays the kubelet for integration tests until the node agent exists. It
// binds unscheduled pods to a node name, reports them Running and Ready (PUT pods/NAME/status)
// when `ready` says so, and removes pods being deleted gracefully (DELETE with
// gracePeriodSeconds=0), as a kubelet does once the containers have stopped.
import { isConflict, isNotFound } from '../../pkg/api/errors.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { rfc3339 } from '../../pkg/api/meta.js';
import { Controller } from '../../pkg/client/controller.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { silentLogger } from '../../pkg/client/logger.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { keyHandler } from '../../pkg/controllers/enqueue.js';
import { WorkQueue } from '../../pkg/client/workqueue.js';

/** FakeKubeletOptions shape the fake kubelet. */
export interface FakeKubeletOptions {
  /** nodeName unscheduled pods are bound to (default "skiff-fake-node"); null leaves them unscheduled. */
  nodeName?: string | null;
  /** ready decides whether a pod's containers ever become ready (default: all do). */
  ready?: (pod: Pod) => boolean;
  /** readyDelayMs waits this long after a pod is seen before reporting it Ready (default 50). */
  readyDelayMs?: number;
  /** finish makes a Running pod end (as a Job's pod does): the phase it ends in, or undefined to keep running. */
  finish?: (pod: Pod) => 'Succeeded' | 'Failed' | undefined;
  /** namespace limits the kubelet to one namespace (default all). */
  namespace?: string;
  /** bind: whether unscheduled pods are bound to nodeName (default true); false leaves binding to a scheduler. */
  bind?: boolean;
}

/** FakeKubelet is a running fake kubelet; stop() it. */
export interface FakeKubelet {
  stop(): Promise<void>;
}

/** startFakeKubelet starts a fake kubelet against an API server URL. */
export async function startFakeKubelet(url: string, opts: FakeKubeletOptions = {}): Promise<FakeKubelet> {
  const client = new RestClient({ server: url });
  const informers = new SharedInformerFactory(client, { logger: silentLogger(), namespace: opts.namespace });
  const informer = informers.informerFor<Pod>(Resources.pods);
  const pods = informer.lister();
  const queue = new WorkQueue({ name: 'fake-kubelet' });
  informer.addEventHandler(keyHandler((key) => queue.add(key)));
  const nodeName = opts.nodeName === undefined ? 'skiff-fake-node' : opts.nodeName;
  const readyDelay = opts.readyDelayMs ?? 50;
  const firstSeen = new Map<string, number>();
  const abort = new AbortController();

  const sync = async (key: string): Promise<void | { requeueAfter: number }> => {
    const [ns, name] = key.split('/');
    const pod = pods.get(ns, name);
    const api = client.resource<Pod>(Resources.pods).namespace(ns);
    if (!pod) {
      firstSeen.delete(key);
      return;
    }
    // A kubelet only looks after the pods of its own node.
    if (pod.spec.nodeName && pod.spec.nodeName !== nodeName) return;
    try {
      if (pod.metadata.deletionTimestamp) {
        await api.delete(name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        return;
      }
      if (!pod.spec.nodeName && opts.bind === false) return;
      if (!pod.spec.nodeName && nodeName) {
        await api.bind(name, nodeName, { uid: pod.metadata.uid });
        return;
      }
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      if (pod.status?.phase === 'Running') {
        const phase = opts.finish?.(pod);
        if (!phase) return;
        const at = rfc3339();
        const done: Pod = structuredClone(pod);
        done.status = {
          ...done.status,
          phase,
          conditions: (done.status?.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False' as const, lastTransitionTime: at } : c)),
          containerStatuses: pod.spec.containers.map((c) => ({
            name: c.name,
            image: c.image ?? '',
            imageID: '',
            ready: false,
            started: false,
            restartCount: 0,
            state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: at, finishedAt: at } },
          })),
        };
        await api.updateStatus(done);
        return;
      }
      const seen = firstSeen.get(key) ?? Date.now();
      firstSeen.set(key, seen);
      if (Date.now() - seen < readyDelay) return { requeueAfter: readyDelay - (Date.now() - seen) };
      const ready = opts.ready?.(pod) ?? true;
      const now = rfc3339();
      const next: Pod = structuredClone(pod);
      next.status = {
        ...next.status,
        phase: 'Running',
        startTime: now,
        podIP: '10.244.0.1',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
          { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
        ],
        containerStatuses: pod.spec.containers.map((c) => ({
          name: c.name,
          image: c.image ?? '',
          imageID: '',
          ready,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: now } },
        })),
      };
      await api.updateStatus(next);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return; // gone, or changed: the next event brings it back
      throw err;
    }
  };

  const controller = new Controller({ name: 'fake-kubelet', queue, informers: [informer], sync, workers: 4, logger: silentLogger() });
  informers.start(abort.signal);
  const running = controller.run(abort.signal);
  await informers.waitForCacheSync(abort.signal);
  return {
    async stop() {
      abort.abort();
      await running;
      await informers.shutdown();
      client.close();
    },
  };
}

/** TestCluster is an API server over etcd, a controller manager and a fake kubelet. */
export interface TestCluster {
  url: string;
  client: RestClient;
  kubelet: FakeKubelet;
  cleanup(): Promise<void>;
}

/**
 * startTestCluster starts the in-process API server (real etcd), the controller manager with
 * leader election, and a fake kubelet. The imports are dynamic so that tests needing only the
 * kubelet do not load the API server.
 */
export async function startTestCluster(opts: { kubelet?: FakeKubeletOptions; controllers?: string[] } = {}): Promise<TestCluster> {
  const { startTestApiServer } = await import('./apiserver.js');
  const { startControllerManager } = await import('../../pkg/controllermanager/controllermanager.js');
  const server = await startTestApiServer();
  const started = Date.now();
  const abort = new AbortController();
  const manager = await startControllerManager({
    restConfig: { server: server.url },
    logger: silentLogger(),
    signal: abort.signal,
    controllers: opts.controllers,
    identity: 'skiff-test-manager',
    leaseDurationMs: 3000,
    renewDeadlineMs: 2000,
    retryPeriodMs: 500,
  });
  const kubelet = await startFakeKubelet(server.url, opts.kubelet);
  const client = new RestClient({ server: server.url });
  return {
    url: server.url,
    client,
    kubelet,
    async cleanup() {
      // The API server leaks a watch's timeout timer when the client leaves while the watch is
      // still waiting for the cache to catch up (up to 3 s after it starts; see the report), which
      // keeps the test process alive: give fresh watches time to attach before leaving.
      await new Promise((r) => setTimeout(r, Math.max(0, started + 4000 - Date.now())));
      abort.abort();
      await kubelet.stop().catch(() => undefined);
      await manager.done.catch(() => undefined);
      client.close();
      await server.cleanup();
    },
  };
}

export { waitFor } from './wait.js';
