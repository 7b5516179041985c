// hollow-nodes.ts: a cluster of hollow nodes for controller integration tests: the in-process
// API server over etcd, the controller manager, the in-process scheduler, Node objects with no
// agent behind them, a heartbeat loop that renews each node's Lease in kube-node-lease (stop it
// for one node to make that node go silent), and one fake kubelet per node that reports the
// pods bound to it Ready (binding is left to the scheduler).
import { pino } from 'pino';
import type { Lease } from '../../pkg/api/coordination.js';
import type { Node, Taint } from '../../pkg/api/core/node.js';
import { isConflict, isNotFound } from '../../pkg/api/errors.js';
import { silentLogger } from '../../pkg/client/logger.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import type { ControllerOptions } from '../../pkg/controllers/context.js';
import { startControllerManager } from '../../pkg/controllermanager/controllermanager.js';
import { Scheduler } from '../../pkg/scheduler/scheduler.js';
import { startTestApiServer, type TestApiServer } from './apiserver.js';
import { type FakeKubelet, startFakeKubelet } from './fakekubelet.js';

/** HollowNodeSpec describes one hollow node. */
export interface HollowNodeSpec {
  name: string;
  labels?: Record<string, string>;
  taints?: Taint[];
}

/** HollowCluster is a running hollow-node cluster; cleanup() it. */
export interface HollowCluster {
  url: string;
  server: TestApiServer;
  client: RestClient;
  /** addNode creates a Ready Node, starts renewing its Lease and starts its fake kubelet. */
  addNode(spec: HollowNodeSpec): Promise<Node>;
  /** silence stops a node's heartbeats and its kubelet, as if the machine died. */
  silence(name: string): Promise<void>;
  cleanup(): Promise<void>;
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/** startHollowCluster starts the API server, controller manager (with controller options) and scheduler. */
export async function startHollowCluster(opts: { controllerOptions?: ControllerOptions; heartbeatMs?: number; controllers?: string[] } = {}): Promise<HollowCluster> {
  const server = await startTestApiServer();
  const started = Date.now();
  const client = new RestClient({ server: server.url });
  const abort = new AbortController();
  const manager = await startControllerManager({
    restConfig: { server: server.url },
    logger: silentLogger(),
    signal: abort.signal,
    leaderElection: false,
    controllers: opts.controllers,
    controllerOptions: opts.controllerOptions,
  });
  const scheduler = new Scheduler({ client, logger: pino({ level: process.env.SKIFF_TEST_LOG ?? 'silent' }), initialBackoffMs: 200, maxBackoffMs: 1000 });
  const schedulerDone = scheduler.run(abort.signal);
  const kubelets = new Map<string, FakeKubelet>();
  const beating = new Set<string>();
  const leases = client.resource<Lease>(Resources.leases).namespace('kube-node-lease');
  const renew = async (name: string): Promise<void> => {
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(Date.now()) };
    try {
      const cur = await leases.get(name);
      await leases.update({ ...cur, spec: { ...cur.spec, ...spec } });
    } catch (err) {
      if (isNotFound(err)) await leases.create({ metadata: { name, namespace: 'kube-node-lease' }, spec }).catch(() => undefined);
      else if (!isConflict(err)) throw err;
    }
  };
  const heartbeatMs = opts.heartbeatMs ?? 500;
  const timer = setInterval(() => {
    for (const name of beating) void renew(name).catch(() => undefined);
  }, heartbeatMs);

  return {
    url: server.url,
    server,
    client,
    async addNode(spec) {
      const node: Node = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: spec.name, labels: { 'kubernetes.io/hostname': spec.name, ...(spec.labels ?? {}) } },
        spec: spec.taints ? { taints: spec.taints } : {},
        status: {
          capacity: { cpu: '8', memory: '16Gi', pods: '110' },
          allocatable: { cpu: '8', memory: '16Gi', pods: '110' },
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
        },
      };
      const created = await client.resource<Node>(Resources.nodes).create(node);
      await renew(spec.name);
      beating.add(spec.name);
      kubelets.set(spec.name, await startFakeKubelet(server.url, { nodeName: spec.name, bind: false, readyDelayMs: 100 }));
      return created;
    },
    async silence(name) {
      beating.delete(name);
      await kubelets.get(name)?.stop();
      kubelets.delete(name);
    },
    async cleanup() {
      // As startTestCluster: let fresh watches attach before leaving (an API server timer otherwise lingers).
      await new Promise((r) => setTimeout(r, Math.max(0, started + 4000 - Date.now())));
      clearInterval(timer);
      abort.abort();
      for (const k of kubelets.values()) await k.stop().catch(() => undefined);
      await manager.done.catch(() => undefined);
      await schedulerDone.catch(() => undefined);
      await scheduler.flushEvents().catch(() => undefined);
      client.close();
      await server.cleanup();
    },
  };
}
