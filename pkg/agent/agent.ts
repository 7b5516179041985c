// agent.ts: the node agent (Skiff's kubelet). It registers the Node, heartbeats its Lease,
// watches the pods bound to it (field selector spec.nodeName), and runs one serialized worker
// per pod uid that drives the runtime towards the spec. Workers are woken by pod events,
// ConfigMap/Secret changes, runtime relists (PLEG), probe results, backoff timers and a
// periodic resync; pods the API no longer has are cleaned up by housekeeping.
//
//   informers ──┐                     ┌─► PodSyncer.sync ─► runtime (CRI) / volumes / network
//   PLEG ───────┼─► WorkQueue(uid) ───┤
//   probes ─────┘    (one key at a    └─► StatusManager ─► PATCH pods/NAME/status
//                     time per pod)
import path from 'node:path';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../api/errors.js';
import type { ConfigMap } from '../api/core/configmap.js';
import type { Pod } from '../api/core/pod-types.js';
import type { Secret } from '../api/core/secret.js';
import { type Clock, realClock, type TimerHandle } from '../client/clock.js';
import { SharedInformerFactory } from '../client/factory.js';
import type { SharedIndexInformer } from '../client/informer.js';
import { Resources } from '../client/resources.js';
import type { RestClient } from '../client/rest.js';
import { DeletedFinalStateUnknown } from '../client/store.js';
import { WorkQueue } from '../client/workqueue.js';
import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';
import { ImageManager } from './images.js';
import { defaultNodeIP, readMachineInfo, readPressure } from './machine.js';
import { hostMounter, type Mounter } from './mounter.js';
import type { Node } from '../api/core/node.js';
import type { Service } from '../api/core/service.js';
import type { EndpointSlice } from '../api/discovery.js';
import { startClusterDns, type ClusterDns } from '../network/dns/server.js';
import { runNodeNetwork, type NodeNetwork } from '../network/node-network.js';
import type { ClusterDnsConfig } from './container-config.js';
import { DeferredNetwork, LoopbackNetwork, type PodNetwork } from './network.js';
import { EvictionManager, type EvictionThresholds } from './eviction.js';
import { MirrorPods } from './mirror-pods.js';
import type { Pressure } from './machine.js';
import { NodeLease } from './node-lease.js';
import { NodeManager } from './node-manager.js';
import type { NodeConfig } from './node-status.js';
import type { ObjectSource } from './objects.js';
import { Pleg } from './pleg.js';
import { PodSyncer } from './pod-syncer.js';
import { ProbeManager } from './probe-manager.js';
import { Prober } from './prober.js';
import type { AgentRuntime } from './runtime.js';
import { AgentServer } from './server.js';
import { isCriticalPod, NodeShutdownNotAdmittedMessage, NodeShutdownNotAdmittedReason, NodeShuttingDownMessage, ShutdownManager, shutdownStatus } from './shutdown.js';
import { fullName, isMirrorPod, StaticPodSource } from './static-pods.js';
import { StatusManager } from './status-manager.js';
import { VolumeManager } from './volumes.js';

/** AgentOptions configure an Agent. */
export interface AgentOptions {
  client: RestClient;
  nodeName: string;
  dataDir: string;
  runtime: AgentRuntime;
  logger: Logger;
  /** network: pod network plugin (default LoopbackNetwork with netnsPrefix). */
  network?: PodNetwork;
  netnsPrefix?: string;
  mounter?: Mounter;
  /** port of the agent API (default 10250; 0 picks a free one); host to bind (default 0.0.0.0). */
  port?: number;
  host?: string;
  nodeIP?: string;
  cgroupParent?: string;
  node?: Partial<NodeConfig>;
  clock?: Clock;
  workers?: number;
  resyncMs?: number;
  plegMs?: number;
  housekeepingMs?: number;
  leaseRenewMs?: number;
  /** leaseDurationSeconds of the node Lease (default 40); renewed every quarter of it, as kubelet does. */
  leaseDurationSeconds?: number;
  statusIntervalMs?: number;
  /** orphanGraceSeconds: grace for containers of pods deleted while the agent was down. */
  orphanGraceSeconds?: number;
  /** bridge turns on pod networking (pkg/network): pod IPs, service proxy, cluster DNS. */
  bridge?: BridgeNetworkSettings;
  /** pressure samples the node's signals (default: /proc/meminfo and the data dir's disk). */
  pressure?: () => Promise<Pressure>;
  /** evictionHard thresholds (default kubelet's: memory.available<100Mi, nodefs.available<10%). */
  evictionHard?: EvictionThresholds;
  /** evictionMonitoringMs: how often the eviction manager looks (default 10 s). */
  evictionMonitoringMs?: number;
  /**
   * staticPodPath is a directory of Pod manifests the agent runs without the API server (kubelet's
   * staticPodPath); with it the agent also starts while the API server is unreachable.
   */
  staticPodPath?: string;
  /** staticPodResyncMs: how often the directory is read besides fs.watch (default 20 s). */
  staticPodResyncMs?: number;
  /** shutdownGracePeriodMs and shutdownGracePeriodCriticalPodsMs: graceful node shutdown (0 = off). */
  shutdownGracePeriodMs?: number;
  shutdownGracePeriodCriticalPodsMs?: number;
}

/** BridgeNetworkSettings configure the agent's pod network (see pkg/network/README.md). */
export interface BridgeNetworkSettings {
  /** egress: outbound NAT for pods to non-cluster addresses (off by default). */
  egress?: boolean;
  clusterCidr?: string;
  serviceCidr?: string;
  /** extraClusterCidrs are never masqueraded (e.g. the simulated nodes' range). */
  extraClusterCidrs?: string[];
  bridgeName?: string;
  /** dns serves cluster DNS on the bridge gateway, port 53 (default true). */
  dns?: boolean;
  /** dnsUpstream "ip[:port]" answers names outside the cluster (none: REFUSED). */
  dnsUpstream?: string;
  clusterDomain?: string;
}

/** Agent runs the pods of one node. */
export class Agent {
  readonly metrics = new Registry();
  readonly syncer: PodSyncer;
  readonly statuses: StatusManager;
  readonly queue: WorkQueue;
  readonly probes: ProbeManager;
  readonly nodeManager: NodeManager;
  readonly lease: NodeLease;
  readonly server: AgentServer;
  private readonly abort = new AbortController();
  private readonly factory: SharedInformerFactory;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly podsByUID = new Map<string, Pod>();
  private readonly pleg: Pleg;
  private readonly timers: TimerHandle[] = [];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly network: PodNetwork;
  readonly eviction: EvictionManager;
  private nodeNetwork?: NodeNetwork;
  private dns?: ClusterDns;
  private clusterDns?: ClusterDnsConfig;
  private readonly volumes: VolumeManager;
  private synced = false;
  private workerRuns: Promise<void>[] = [];
  /** staticPods are the pods of the manifest directory by uid (also in podsByUID); staticRemoved those whose file went, until stopped. */
  private staticPods = new Map<string, Pod>();
  private readonly staticRemoved = new Map<string, Pod>();
  private staticSource?: StaticPodSource;
  private readonly mirrors: MirrorPods;
  /** shutdown runs a graceful node shutdown; shutdownKills are the pods it asked the workers to stop. */
  readonly shutdown: ShutdownManager;
  private readonly shutdownKills = new Map<string, { graceSeconds: number; finished: boolean; done: () => void }>();
  private readonly syncDuration: Histogram;
  private readonly syncErrors: Counter;

  private constructor(
    private readonly o: AgentOptions,
    readonly nodeIP: string,
    nodeManager: NodeManager,
  ) {
    this.clock = o.clock ?? realClock;
    this.log = o.logger.child({ component: 'agent', node: o.nodeName });
    this.nodeManager = nodeManager;
    collectDefaultMetrics({ register: this.metrics, prefix: 'skiff_agent_' });
    this.syncDuration = new Histogram({ name: 'skiff_agent_pod_sync_duration_seconds', help: 'Duration of pod worker passes', registers: [this.metrics], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    this.syncErrors = new Counter({ name: 'skiff_agent_pod_sync_errors_total', help: 'Pod worker passes that failed', registers: [this.metrics] });
    const podsByUID = this.podsByUID;
    new Gauge({
      name: 'skiff_agent_pods',
      help: 'Pods bound to this node that the agent runs',
      registers: [this.metrics],
      collect() {
        this.set(podsByUID.size);
      },
    });
    this.factory = new SharedInformerFactory(o.client, { logger: this.log, clock: o.clock });
    this.podInformer = this.factory.informerFor<Pod>(Resources.pods, { fieldSelector: { 'spec.nodeName': o.nodeName } });
    const cms = this.factory.lister<ConfigMap>(Resources.configmaps);
    const secrets = this.factory.lister<Secret>(Resources.secrets);
    const services = this.factory.lister<Service>(Resources.services);
    const objects: ObjectSource = { configMap: (ns, n) => cms.get(ns, n), secret: (ns, n) => secrets.get(ns, n), services: () => services.list() };
    this.queue = new WorkQueue({ name: 'pod-workers', clock: o.clock, metrics: this.metrics });
    this.network = o.network ?? (o.bridge ? new DeferredNetwork() : new LoopbackNetwork(o.netnsPrefix));
    this.volumes = new VolumeManager({ podsDir: path.join(o.dataDir, 'pods'), objects, mounter: o.mounter ?? hostMounter });
    this.probes = new ProbeManager({
      prober: new Prober(o.runtime.runtime),
      clock: o.clock,
      onChange: (uid, container, type, result, message) => {
        this.log.info({ uid, container, probe: type, result, message: message.slice(0, 200) }, 'probe result changed');
        this.queue.add(uid);
      },
    });
    this.syncer = new PodSyncer({
      runtime: o.runtime.runtime,
      images: new ImageManager(o.runtime.images, () => this.clock.now()),
      volumes: this.volumes,
      network: this.network,
      probes: this.probes,
      objects,
      logsDir: path.join(o.dataDir, 'logs'),
      cgroupParent: o.cgroupParent,
      hostIP: nodeIP,
      clusterDns: () => this.clusterDns,
      now: () => this.clock.now(),
      logger: this.log,
    });
    this.statuses = new StatusManager(o.client);
    this.eviction = new EvictionManager({
      pressure: o.pressure ?? (() => readPressure(o.dataDir)),
      // Critical pods (static, mirror, system-critical priority) are never evicted, as in kubelet.
      pods: () => [...this.podsByUID.values()].filter((p) => !isCriticalPod(p)),
      thresholds: o.evictionHard,
      evict: (pod, message) => {
        this.log.warn({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, message }, 'evicting pod');
        this.queue.add(pod.metadata.uid!);
      },
    });
    this.mirrors = new MirrorPods({
      client: o.client,
      nodeName: o.nodeName,
      nodeUID: () => this.nodeManager.uid,
      cached: (ns, name) => this.podInformer.lister().get(ns, name),
      logger: this.log,
    });
    this.shutdown = new ShutdownManager({
      gracePeriodMs: o.shutdownGracePeriodMs ?? 0,
      criticalGracePeriodMs: o.shutdownGracePeriodCriticalPodsMs ?? 0,
      pods: () => [...this.podsByUID.values()],
      markNodeShuttingDown: () => this.nodeManager.setNotReady(NodeShuttingDownMessage),
      kill: (pod, graceSeconds) =>
        new Promise<void>((done) => {
          this.shutdownKills.set(pod.metadata.uid ?? '', { graceSeconds, finished: false, done });
          this.queue.add(pod.metadata.uid ?? '');
        }),
      logger: this.log,
    });
    this.pleg = new Pleg(o.runtime.runtime);
    this.lease = new NodeLease({
      client: o.client,
      nodeName: o.nodeName,
      nodeUID: () => this.nodeManager.uid,
      renewIntervalMs: o.leaseRenewMs ?? (o.leaseDurationSeconds ? (o.leaseDurationSeconds * 1000) / 4 : undefined),
      leaseDurationSeconds: o.leaseDurationSeconds,
      clock: o.clock,
      logger: this.log,
    });
    this.server = new AgentServer({ runtime: o.runtime.runtime, pods: (ns: string, name: string) => this.podByName(ns, name), metrics: this.metrics, logger: this.log });
  }

  /** start registers the node, starts the API, informers, workers and loops. */
  static async start(o: AgentOptions): Promise<Agent> {
    const nodeIP = o.nodeIP ?? defaultNodeIP();
    const log = o.logger.child({ component: 'agent', node: o.nodeName });
    const machine = await readMachineInfo();
    // The API server comes first: the Node publishes its port.
    const placeholder = { port: o.port ?? 10250 };
    const nodeManager = new NodeManager({
      client: o.client,
      config: { nodeName: o.nodeName, nodeIP, port: placeholder.port, ...(o.node ?? {}) },
      machine,
      pressure: o.pressure ?? (() => readPressure(o.dataDir)),
      runtimeStatus: async () => {
        const v = await o.runtime.runtime.version();
        return { ready: true, version: `${v.runtimeName}://${v.runtimeVersion}` };
      },
      statusIntervalMs: o.statusIntervalMs,
      clock: o.clock,
      logger: log,
    });
    const agent = new Agent(o, nodeIP, nodeManager);
    try {
      const port = await agent.server.listen(o.host ?? '0.0.0.0', o.port ?? 10250);
      nodeManager.setPort(port);
      if (o.staticPodPath) {
        // Static pods run before (and without) the API server: kubelet bootstraps control planes this way.
        await agent.startStaticPods(o.staticPodPath);
        void agent.connect(true);
      } else {
        await agent.connect(false);
      }
    } catch (e) {
      await agent.stop();
      throw e;
    }
    return agent;
  }

  /** connect registers the Node (retrying while the API server is unreachable if retry), then starts the API-driven parts. */
  private async connect(retry: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.nodeManager.register();
        break;
      } catch (err) {
        if (!retry || this.abort.signal.aborted) throw err;
        if (attempt === 0) this.log.warn({ err: (err as Error).message }, 'API server unreachable; static pods run meanwhile, retrying');
        await new Promise((r) => {
          const timer = setTimeout(r, Math.min(5000, 500 * 2 ** attempt));
          this.abort.signal.addEventListener('abort', () => (clearTimeout(timer), r(undefined)), { once: true });
        });
        if (this.abort.signal.aborted) return;
      }
    }
    if (this.abort.signal.aborted) return; // stopped while registering
    try {
      this.nodeManager.start();
      this.lease.start();
      for (const uid of this.staticPods.keys()) this.queue.add(uid); // their mirror pods can be made now
      await this.run();
      if (this.o.bridge && this.network instanceof DeferredNetwork) void this.startBridge(this.o.bridge, this.network);
    } catch (err) {
      if (!retry) throw err;
      if (!this.abort.signal.aborted) this.log.error({ err: (err as Error).message }, 'agent could not start its API-driven parts');
    }
  }

  /** startStaticPods reads the manifest directory, starts the workers and keeps watching the directory. */
  private async startStaticPods(dir: string): Promise<void> {
    this.staticSource = new StaticPodSource({ dir, nodeName: this.o.nodeName, onChange: (pods) => this.setStaticPods(pods), resyncMs: this.o.staticPodResyncMs, logger: this.log });
    await this.staticSource.start();
    this.startWorkers();
  }

  /** setStaticPods replaces the set of static pods: new uids start, missing ones are stopped (with their grace). */
  private setStaticPods(pods: Pod[]): void {
    const next = new Map(pods.map((p) => [p.metadata.uid!, p]));
    for (const [uid, pod] of this.staticPods) {
      if (next.has(uid)) continue;
      this.staticRemoved.set(uid, pod);
      this.podsByUID.delete(uid);
      this.queue.add(uid);
    }
    for (const [uid, pod] of next) {
      if (this.staticPods.has(uid)) continue;
      this.staticRemoved.delete(uid);
      this.podsByUID.set(uid, pod);
      this.queue.add(uid);
    }
    this.staticPods = next;
  }

  /** staticUIDByName finds the static pod a mirror pod stands for. */
  private staticUIDByName(key: string): string | undefined {
    for (const [uid, p] of this.staticPods) if (fullName(p) === key) return uid;
    return undefined;
  }

  /**
   * shutdownNode runs a graceful node shutdown (see shutdown.ts): node NotReady, regular pods,
   * then critical pods stopped within the configured periods and reported Failed/Terminated.
   */
  shutdownNode(): Promise<void> {
    return this.shutdown.shutdown();
  }

  /** port is the agent API's port. */
  get port(): number {
    return this.server.port;
  }

  private podByName(ns: string, name: string): Pod | undefined {
    // A mirror pod's name leads to its static pod (whose uid labels the containers).
    const uid = this.staticUIDByName(`${ns}/${name}`);
    return (uid && this.staticPods.get(uid)) || this.podInformer.lister().get(ns, name);
  }

  private async run(): Promise<void> {
    const enqueuePod = (p: Pod) => {
      if (isMirrorPod(p)) {
        // A mirror pod is not run: it wakes the worker of its static pod (to recreate or update it).
        const uid = this.staticUIDByName(fullName(p));
        if (uid) this.queue.add(uid);
        return;
      }
      if (p.metadata.uid) {
        this.podsByUID.set(p.metadata.uid, p);
        this.queue.add(p.metadata.uid);
      }
    };
    this.podInformer.addEventHandler({
      onAdd: enqueuePod,
      onUpdate: (_old, p) => enqueuePod(p),
      onDelete: (obj) => {
        const p = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
        if (isMirrorPod(p)) return enqueuePod(p);
        if (p.metadata.uid) {
          this.podsByUID.delete(p.metadata.uid);
          this.queue.add(p.metadata.uid);
        }
      },
    });
    const wakeNamespace = (obj: { metadata: { namespace?: string } } | DeletedFinalStateUnknown<{ metadata: { namespace?: string } }>) => {
      const ns = (obj instanceof DeletedFinalStateUnknown ? obj.obj : obj).metadata.namespace;
      if (!this.synced) return;
      for (const p of this.podsByUID.values()) if (p.metadata.namespace === ns) this.queue.add(p.metadata.uid!);
    };
    for (const inf of [this.factory.informerFor<ConfigMap>(Resources.configmaps), this.factory.informerFor<Secret>(Resources.secrets)]) {
      inf.addEventHandler({ onAdd: wakeNamespace, onUpdate: (_o, n) => wakeNamespace(n), onDelete: wakeNamespace });
    }
    this.factory.start(this.abort.signal);
    if (!(await this.factory.waitForCacheSync(this.abort.signal))) throw new Error('informers did not sync');
    this.synced = true;
    this.startWorkers();
    await this.housekeeping();
    this.every(this.o.plegMs ?? 1000, () => this.relist());
    this.every(this.o.housekeepingMs ?? 10_000, () => this.housekeeping());
    this.every(this.o.evictionMonitoringMs ?? 10_000, async () => void (await this.eviction.check()));
    this.every(this.o.resyncMs ?? 10_000, async () => {
      for (const uid of this.podsByUID.keys()) this.queue.add(uid);
    });
    this.log.info({ pods: this.podsByUID.size, port: this.port }, 'agent running');
  }

  private startWorkers(): void {
    if (this.workerRuns.length) return;
    const n = this.o.workers ?? 16;
    for (let i = 0; i < n; i++) this.workerRuns.push(this.worker());
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const tick = async () => {
      if (this.abort.signal.aborted) return;
      try {
        await fn();
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'periodic task failed');
      }
      if (!this.abort.signal.aborted) this.timers.push(this.clock.setTimeout(() => void tick(), ms));
    };
    this.timers.push(this.clock.setTimeout(() => void tick(), ms));
  }

  private async relist(): Promise<void> {
    const { changed, seen } = await this.pleg.relist();
    for (const uid of changed) this.queue.add(uid);
    for (const uid of seen) if (!this.podsByUID.has(uid)) this.queue.add(uid);
  }

  /** housekeeping wakes the workers of pods that exist on the node but not in the API (to clean them up). */
  private async housekeeping(): Promise<void> {
    const uids = new Set<string>();
    for (const s of await this.o.runtime.runtime.listPodSandbox()) if (s.labels?.['io.kubernetes.pod.uid']) uids.add(s.labels['io.kubernetes.pod.uid']);
    for (const u of await this.volumes.knownPods()) uids.add(u);
    for (const u of await this.network.list()) uids.add(u);
    for (const uid of uids) if (!this.podsByUID.has(uid)) this.queue.add(uid);
    // Mirror pods whose static pod is gone (file removed while the agent was down, or another agent's).
    if (this.shutdown.shuttingDown) return;
    for (const mirror of MirrorPods.orphans(this.podInformer.lister().list(), [...this.staticPods.values(), ...this.staticRemoved.values()])) await this.mirrors.delete(mirror);
  }

  private async worker(): Promise<void> {
    for (;;) {
      const uid = await this.queue.get();
      if (uid === undefined) return;
      const end = this.syncDuration.startTimer();
      try {
        await this.syncPod(uid);
        this.queue.forget(uid);
      } catch (err) {
        this.syncErrors.inc();
        this.log.warn({ uid, err: (err as Error).message }, 'pod sync failed; retrying');
        if (!this.abort.signal.aborted) this.queue.addRateLimited(uid);
      } finally {
        end();
        this.queue.done(uid);
      }
    }
  }

  /** syncPod is one pass of a pod's worker. */
  private async syncPod(uid: string): Promise<void> {
    const pod = this.podsByUID.get(uid);
    const kill = this.shutdownKills.get(uid);
    if (kill) {
      // Node shutdown: stop the pod within the grace the shutdown manager gave it and report it Failed; never start it again.
      if (kill.finished) return;
      const target = pod ?? this.staticRemoved.get(uid);
      if (target) {
        await this.syncer.stopPod(target, await this.syncer.readState(uid), kill.graceSeconds);
        const status = shutdownStatus(await this.syncer.status(target), new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'));
        await this.statuses.update(target, status).catch((err) => this.log.warn({ uid, err: (err as Error).message }, 'could not report the pod stopped for shutdown'));
      }
      kill.finished = true;
      kill.done();
      return;
    }
    if (pod && !this.shutdown.admits(uid)) {
      // kubelet's shutdown admit handler: pods that arrive while the node shuts down are not started.
      if (pod.status?.phase !== 'Failed') await this.statuses.update(pod, { ...(pod.status ?? {}), phase: 'Failed', reason: NodeShutdownNotAdmittedReason, message: NodeShutdownNotAdmittedMessage });
      return;
    }
    if (!pod) {
      const removed = this.staticRemoved.get(uid);
      if (removed) return this.stopStaticPod(uid, removed);
      await this.syncer.cleanupOrphan(uid, this.o.orphanGraceSeconds ?? 2);
      this.statuses.forget(uid);
      this.eviction.forget(uid);
      return;
    }
    const evicted = this.eviction.message(uid);
    if (evicted !== undefined && !pod.metadata.deletionTimestamp) {
      // Hard eviction: stop everything now and report the pod Failed/Evicted (its controller replaces it).
      await this.syncer.stopPod(pod, await this.syncer.readState(uid), 0);
      const status = await this.syncer.status(pod);
      await this.statuses.update(pod, { ...status, phase: 'Failed', reason: 'Evicted', message: evicted, conditions: (status.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False' } : c)) });
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      this.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, grace }, 'terminating pod');
      const status = await this.syncer.terminate(pod, grace);
      await this.statuses.update(pod, status).catch(() => undefined);
      try {
        await this.o.client
          .resource<Pod>(Resources.pods)
          .namespace(pod.metadata.namespace ?? 'default')
          .delete(pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
      this.statuses.forget(uid);
      return;
    }
    if (this.staticPods.has(uid)) return this.syncStaticPod(uid, pod);
    const result = await this.syncer.sync(pod);
    await this.statuses.update(pod, result.status);
    if (result.requeueAfterMs !== undefined) this.queue.addAfter(uid, result.requeueAfterMs);
  }

  /** syncStaticPod runs a static pod and keeps its mirror pod (and the mirror's status) in the API when it can. */
  private async syncStaticPod(uid: string, pod: Pod): Promise<void> {
    // A changed manifest is a new uid with the same name: the old version stops first, as kubelet waits for it.
    if ([...this.staticRemoved.values()].some((p) => fullName(p) === fullName(pod))) {
      this.queue.addAfter(uid, 500);
      return;
    }
    const result = await this.syncer.sync(pod);
    if (result.requeueAfterMs !== undefined) this.queue.addAfter(uid, result.requeueAfterMs);
    try {
      const mirror = await this.mirrors.ensure(pod);
      if (mirror === 'created') this.statuses.forget(uid); // a new mirror has no status yet
      if (mirror !== 'absent') await this.statuses.update(pod, result.status);
    } catch (err) {
      // The pod runs anyway; the mirror and its status follow when the API server answers.
      this.log.warn({ pod: fullName(pod), err: (err as Error).message }, 'mirror pod not updated');
      this.queue.addAfter(uid, 5_000);
    }
  }

  /** stopStaticPod stops a static pod whose manifest went away, with its grace period, and deletes its mirror. */
  private async stopStaticPod(uid: string, pod: Pod): Promise<void> {
    const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
    this.log.info({ pod: fullName(pod), uid, grace }, 'stopping static pod (manifest removed or changed)');
    await this.syncer.terminate(pod, grace);
    this.staticRemoved.delete(uid);
    this.statuses.forget(uid);
    await this.mirrors.deleteFor(pod).catch((err) => this.log.warn({ pod: fullName(pod), err: (err as Error).message }, 'mirror pod not deleted; housekeeping retries'));
    const successor = this.staticUIDByName(fullName(pod));
    if (successor) this.queue.add(successor);
  }

  /**
   * startBridge waits for the Node's spec.podCIDR (assigned by the node IPAM controller), then
   * sets up the node's pod network, service proxy and cluster DNS, and hands the bridge plugin to
   * the pod workers. Retries until it works or the agent stops.
   */
  private async startBridge(b: BridgeNetworkSettings, deferred: DeferredNetwork): Promise<void> {
    const nodes = this.o.client.resource<Node>(Resources.nodes);
    let warned = false;
    while (!this.abort.signal.aborted) {
      try {
        const node = await nodes.get(this.o.nodeName);
        const podCidr = node.spec?.podCIDR;
        if (podCidr) {
          const net = await runNodeNetwork({
            nodeName: this.o.nodeName,
            podCidr,
            informers: this.factory,
            stateDir: path.join(this.o.dataDir, 'network'),
            clusterCidr: b.clusterCidr,
            serviceCidr: b.serviceCidr,
            extraClusterCidrs: b.extraClusterCidrs,
            egress: b.egress,
            bridgeName: b.bridgeName,
            netnsPrefix: this.o.netnsPrefix,
            logger: this.log,
          });
          this.nodeNetwork = net;
          if (b.dns ?? true) {
            try {
              this.dns = await startClusterDns({
                listen: [{ address: net.network.gateway, port: 53 }],
                source: { services: this.factory.lister<Service>(Resources.services), endpointSlices: this.factory.lister<EndpointSlice>(Resources.endpointslices) },
                domain: b.clusterDomain,
                upstream: b.dnsUpstream,
              });
              this.clusterDns = { nameserver: net.network.gateway, domain: b.clusterDomain };
            } catch (err) {
              this.log.error({ err: (err as Error).message }, 'cluster DNS did not start; pods use the node resolv.conf');
            }
          }
          deferred.set(net.network);
          this.log.info({ podCidr, gateway: net.network.gateway, dns: this.clusterDns?.nameserver }, 'pod network ready');
          if (this.abort.signal.aborted) await this.stopNetwork();
          return;
        }
        if (!warned) this.log.info('waiting for the node IPAM controller to assign spec.podCIDR');
        warned = true;
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'pod network setup failed; retrying');
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private async stopNetwork(): Promise<void> {
    await this.dns?.close().catch(() => undefined);
    this.dns = undefined;
    await this.nodeNetwork?.stop().catch(() => undefined);
    this.nodeNetwork = undefined;
  }

  /** podNetwork is the node network once the bridge is up (tests, uninstall). */
  get podNetwork(): NodeNetwork | undefined {
    return this.nodeNetwork;
  }

  /** stop ends the agent's loops, informers and API; containers keep running (re-adopted on restart). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.staticSource?.stop();
    await this.stopNetwork();
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.lease.stop();
    this.nodeManager.stop();
    this.probes.stop();
    this.queue.shutDown();
    await Promise.all(this.workerRuns);
    await this.factory.shutdown();
    await this.server.close();
    await this.o.runtime.close();
  }
}
