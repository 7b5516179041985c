// pod-syncer.ts: what one pod worker does on each pass (kubelet's SyncPod / SyncTerminatingPod).
// It reads the pod's sandboxes and containers from the runtime, compares them with the spec and
// takes the next steps: sandbox, volumes, init containers in order, app containers, restarts
// under the restart policy with CrashLoopBackOff, liveness kills, cleanup of old attempts. It
// never remembers anything it cannot read back from the runtime, except the waiting reasons and
// backoff timers, so a restarted agent picks up where the last one stopped.
import type { Container, Pod, PodStatus } from '../api/core/pod-types.js';
import type { Logger } from 'pino';
import { isNotFound as isRuntimeNotFound } from '../runtime/errors.js';
import type { RuntimeService } from '../runtime/service.js';
import type { ContainerStatus as CriContainerStatus, PodSandbox } from '../runtime/types.js';
import { KeyedBackoff } from './backoff.js';
import { type ClusterDnsConfig, containerConfig, podLogDirectory, sandboxConfig } from './container-config.js';
import { buildEnv } from './env.js';
import { ImagePullError, type ImageManager } from './images.js';
import { ContainerHashAnnotation, NetnsAnnotation, PodIPAnnotation, PodUIDLabel, specHash } from './labels.js';
import type { PodNetwork } from './network.js';
import { ContainerConfigError, type ObjectSource } from './objects.js';
import { attemptNumber, attemptsOf, computePodStatus, type Waiting } from './pod-status.js';
import type { ProbeManager } from './probe-manager.js';
import type { VolumeManager } from './volumes.js';

/** PodState is what the runtime holds for one pod. */
export interface PodState {
  sandboxes: PodSandbox[];
  containers: CriContainerStatus[];
}

/** SyncResult is the outcome of a pass: the status to report and when to look again. */
export interface SyncResult {
  status: PodStatus;
  /** requeueAfterMs: a backoff or a running init container wants another pass then. */
  requeueAfterMs?: number;
}

/** PodSyncerOptions are the syncer's collaborators. */
export interface PodSyncerOptions {
  runtime: RuntimeService;
  images: ImageManager;
  volumes: VolumeManager;
  network: PodNetwork;
  probes: ProbeManager;
  objects: ObjectSource;
  logsDir: string;
  cgroupParent?: string;
  hostIP: string;
  /** clusterDns is where ClusterFirst pods resolve names (undefined: the node's resolv.conf). */
  clusterDns?: () => ClusterDnsConfig | undefined;
  now: () => number;
  logger: Logger;
  /** restartBackoff is shared so tests can inspect it. */
  restartBackoff?: KeyedBackoff;
}

const nsToMs = (ns: number) => Math.floor(Number(ns) / 1e6);

/** PodSyncer runs the steps of pod workers. */
export class PodSyncer {
  readonly restartBackoff: KeyedBackoff;
  private readonly waiting = new Map<string, Map<string, Waiting>>();

  constructor(private readonly o: PodSyncerOptions) {
    this.restartBackoff = o.restartBackoff ?? new KeyedBackoff({ now: o.now });
  }

  /** readState lists the pod's sandboxes (newest first) and containers from the runtime. */
  async readState(uid: string): Promise<PodState> {
    const sel = { labelSelector: { [PodUIDLabel]: uid } };
    const sandboxes = (await this.o.runtime.listPodSandbox(sel)).sort((a, b) => Number(b.createdAt) - Number(a.createdAt));
    const containers: CriContainerStatus[] = [];
    for (const c of await this.o.runtime.listContainers(sel)) {
      try {
        containers.push(await this.o.runtime.containerStatus(c.id));
      } catch (e) {
        if (!isRuntimeNotFound(e)) throw e;
      }
    }
    return { sandboxes, containers };
  }

  private waitingOf(uid: string): Map<string, Waiting> {
    let m = this.waiting.get(uid);
    if (!m) this.waiting.set(uid, (m = new Map()));
    return m;
  }

  /** status computes the pod status from the current runtime state. */
  async status(pod: Pod, state?: PodState): Promise<PodStatus> {
    const uid = pod.metadata.uid ?? '';
    state ??= await this.readState(uid);
    return computePodStatus({
      pod,
      containers: state.containers,
      sandboxReady: state.sandboxes[0]?.state === 'SANDBOX_READY',
      waiting: this.waitingOf(uid),
      ready: (c, id) => this.o.probes.ready(uid, c, id),
      started: (c, id) => this.o.probes.started(uid, c, id),
      hostIP: this.o.hostIP,
      podIP: pod.spec.hostNetwork ? this.o.hostIP : (state.sandboxes[0]?.annotations?.[PodIPAnnotation] ?? pod.status?.podIP ?? ''),
      nowIso: new Date(this.o.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }

  /** sync drives the pod one step closer to its spec and returns its status. */
  async sync(pod: Pod): Promise<SyncResult> {
    const uid = pod.metadata.uid ?? '';
    const log = this.o.logger.child({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, uid });
    const waiting = this.waitingOf(uid);
    let state = await this.readState(uid);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      await this.stopPod(pod, state, 0);
      return { status: await this.status(pod) };
    }
    let requeue: number | undefined;
    const want = (ms: number) => (requeue = requeue === undefined ? ms : Math.min(requeue, ms));

    // Sandbox.
    let sandbox = state.sandboxes[0];
    if (!sandbox || sandbox.state !== 'SANDBOX_READY') {
      const current = await this.status(pod, state);
      if (current.phase === 'Succeeded' || current.phase === 'Failed') return { status: current };
      if (sandbox) await this.o.runtime.stopPodSandbox(sandbox.id);
      const net = pod.spec.hostNetwork ? { netnsPath: '', ip: '' } : await this.o.network.setUp(uid);
      const config = sandboxConfig(pod, {
        logDirectory: podLogDirectory(this.o.logsDir, pod),
        cgroupParent: this.o.cgroupParent,
        netnsPath: net.netnsPath,
        podIP: net.ip,
        dns: this.o.clusterDns?.(),
        attempt: state.sandboxes.length,
      });
      const id = await this.o.runtime.runPodSandbox(config);
      log.info({ sandboxId: id }, 'sandbox started');
      state = await this.readState(uid);
      sandbox = state.sandboxes.find((s) => s.id === id) ?? state.sandboxes[0];
    }
    if (!sandbox) throw new Error('sandbox vanished after start');
    const netnsPath = sandbox.annotations?.[NetnsAnnotation] ?? '';

    // Volumes (refreshed every pass so ConfigMap and Secret files follow their objects).
    let volumePaths: Map<string, string>;
    try {
      volumePaths = await this.o.volumes.setUp(pod);
    } catch (e) {
      for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
        if (!attemptsOf(state.containers, c.name).length) waiting.set(c.name, { reason: 'ContainerCreating', message: `MountVolume.SetUp failed: ${(e as Error).message}` });
      }
      return { status: await this.status(pod, state), requeueAfterMs: 5_000 };
    }

    const start = async (c: Container, kind: 'init' | 'app', attempt: number): Promise<void> => {
      try {
        const image = await this.o.images.ensure(c);
        const env = buildEnv(pod, c, this.o.objects);
        const mounts = this.o.volumes.mountsFor(pod, c, volumePaths);
        await this.o.volumes.ensureSubPaths(mounts, c);
        const cfg = containerConfig(pod, c, { kind, attempt, env, mounts, image });
        const id = await this.o.runtime.createContainer(sandbox.id, cfg, sandboxConfig(pod, { logDirectory: podLogDirectory(this.o.logsDir, pod) }));
        waiting.delete(c.name);
        try {
          await this.o.runtime.startContainer(id);
        } catch (e) {
          log.warn({ container: c.name, err: (e as Error).message }, 'container failed to start');
          return;
        }
        log.info({ container: c.name, containerId: id, attempt }, 'container started');
        if (c.lifecycle?.postStart?.exec?.command) {
          const r = await this.o.runtime.execSync(id, c.lifecycle.postStart.exec.command, 30).catch((e) => ({ exitCode: -1, stderr: Buffer.from(String(e)) }));
          if (r.exitCode !== 0) {
            log.warn({ container: c.name }, 'postStart hook failed; killing the container');
            await this.o.runtime.stopContainer(id, 0);
          }
        }
      } catch (e) {
        if (e instanceof ImagePullError) {
          waiting.set(c.name, { reason: e.reason, message: e.message });
          want(Math.max(1000, e.retryAfterMs));
        } else if (e instanceof ContainerConfigError) {
          waiting.set(c.name, { reason: 'CreateContainerConfigError', message: e.message });
          want(10_000);
        } else {
          waiting.set(c.name, { reason: 'CreateContainerError', message: (e as Error).message });
          want(10_000);
        }
      }
    };

    /** restartOrBackoff restarts an exited container unless CrashLoopBackOff holds it. */
    const restartOrBackoff = async (c: Container, kind: 'init' | 'app', last: CriContainerStatus): Promise<void> => {
      const key = `${uid}/${c.name}`;
      const remaining = this.restartBackoff.remainingMs(key, nsToMs(last.finishedAt));
      if (remaining > 0) {
        const delay = this.restartBackoff.delayMs(key);
        waiting.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})` });
        want(remaining);
        return;
      }
      this.restartBackoff.next(key, this.o.now());
      await start(c, kind, attemptNumber(last) + 1);
    };

    const policy = pod.spec.restartPolicy ?? 'Always';
    const prepare = async (c: Container): Promise<CriContainerStatus | undefined> => {
      const latest = attemptsOf(state.containers, c.name)[0];
      if (latest?.state === 'CONTAINER_CREATED' || latest?.state === 'CONTAINER_UNKNOWN') {
        // Created but never started (the agent died in between): start over with this attempt.
        await this.o.runtime.removeContainer(latest.id);
        state.containers = state.containers.filter((x) => x.id !== latest.id);
        return attemptsOf(state.containers, c.name)[0];
      }
      return latest;
    };

    // Init containers, in order; each must succeed before the next.
    let initDone = true;
    for (const c of pod.spec.initContainers ?? []) {
      const latest = await prepare(c);
      if (!latest) {
        await start(c, 'init', 0);
        initDone = false;
        want(1000);
        break;
      }
      if (latest.state === 'CONTAINER_RUNNING') {
        initDone = false;
        break;
      }
      if (latest.exitCode === 0) continue;
      initDone = false;
      if (policy !== 'Never') await restartOrBackoff(c, 'init', latest);
      break;
    }

    // App containers.
    if (initDone) {
      for (const c of pod.spec.containers) {
        const latest = await prepare(c);
        if (!latest) {
          await start(c, 'app', 0);
          continue;
        }
        if (latest.state === 'CONTAINER_RUNNING') {
          const liveness = this.o.probes.livenessFailure(uid, c, latest.id);
          const changed = latest.annotations?.[ContainerHashAnnotation] !== specHash(c);
          if (liveness || changed) {
            log.info({ container: c.name, reason: liveness ?? 'spec changed' }, 'killing container');
            await this.killContainer(pod, c, latest.id);
            want(0);
          }
          continue;
        }
        const restart = policy === 'Always' || (policy === 'OnFailure' && latest.exitCode !== 0);
        if (restart) await restartOrBackoff(c, 'app', latest);
        else waiting.delete(c.name);
      }
    }

    state = await this.readState(uid);
    await this.removeOldAttempts(pod, state);
    this.o.probes.syncPod(
      uid,
      state.containers
        .filter((c) => c.state === 'CONTAINER_RUNNING')
        .map((c) => ({
          spec: [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((s) => s.name === c.metadata.name)!,
          containerId: c.id,
          startedAtMs: nsToMs(c.startedAt),
          target: { containerId: c.id, netnsPath, ports: pod.spec.containers.find((s) => s.name === c.metadata.name)?.ports ?? [] },
        }))
        .filter((r) => r.spec),
    );
    const status = await this.status(pod, state);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') await this.stopPod(pod, state, 0);
    return { status, requeueAfterMs: requeue };
  }

  /** killContainer runs the preStop hook, then stops the container within the grace period. */
  private async killContainer(pod: Pod, c: Container | undefined, id: string, graceSeconds?: number): Promise<void> {
    const grace = graceSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const deadline = this.o.now() + grace * 1000;
    const preStop = c?.lifecycle?.preStop;
    if (preStop?.exec?.command && grace > 0) {
      await this.o.runtime.execSync(id, preStop.exec.command, grace).catch(() => undefined);
    } else if (preStop?.sleep?.seconds && grace > 0) {
      await new Promise((r) => setTimeout(r, Math.min(preStop.sleep!.seconds, grace) * 1000));
    }
    const left = Math.max(0, Math.ceil((deadline - this.o.now()) / 1000));
    await this.o.runtime.stopContainer(id, grace > 0 ? Math.max(1, left) : 0).catch((e) => {
      if (!isRuntimeNotFound(e)) throw e;
    });
  }

  /** stopPod kills every running container (in parallel, with grace) and the sandbox. */
  async stopPod(pod: Pod, state: PodState, graceSeconds?: number): Promise<void> {
    const specs = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    await Promise.all(
      state.containers
        .filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED')
        .map((c) => this.killContainer(pod, specs.find((s) => s.name === c.metadata.name), c.id, graceSeconds)),
    );
    for (const s of state.sandboxes) if (s.state === 'SANDBOX_READY') await this.o.runtime.stopPodSandbox(s.id);
    this.o.probes.removePod(pod.metadata.uid ?? '');
  }

  /** terminate stops the pod within its grace period and removes everything it had on the node. */
  async terminate(pod: Pod, graceSeconds: number): Promise<PodStatus> {
    const uid = pod.metadata.uid ?? '';
    const state = await this.readState(uid);
    await this.stopPod(pod, state, graceSeconds);
    const status = await this.status(pod);
    await this.cleanup(uid);
    return status;
  }

  /** cleanupOrphan stops and removes what is left of a pod the API no longer has. */
  async cleanupOrphan(uid: string, graceSeconds: number): Promise<void> {
    const state = await this.readState(uid);
    await Promise.all(
      state.containers
        .filter((c) => c.state === 'CONTAINER_RUNNING')
        .map((c) => this.o.runtime.stopContainer(c.id, graceSeconds).catch((e) => {
          if (!isRuntimeNotFound(e)) throw e;
        })),
    );
    await this.cleanup(uid);
  }

  /** cleanup removes the sandboxes, containers, volumes and network of a pod uid (idempotent). */
  async cleanup(uid: string): Promise<void> {
    const state = await this.readState(uid);
    for (const c of state.containers) await this.o.runtime.removeContainer(c.id);
    for (const s of state.sandboxes) await this.o.runtime.removePodSandbox(s.id);
    this.o.probes.removePod(uid);
    await this.o.volumes.tearDown(uid);
    await this.o.network.tearDown(uid);
    this.waiting.delete(uid);
    this.restartBackoff.forgetPrefix(`${uid}/`);
  }

  /** removeOldAttempts keeps the latest two attempts of each container (for --previous logs). */
  private async removeOldAttempts(pod: Pod, state: PodState): Promise<void> {
    const names = new Set(state.containers.map((c) => c.metadata.name));
    const keep = new Set<string>();
    for (const name of names) {
      const attempts = attemptsOf(state.containers, name);
      attempts.slice(0, 2).forEach((c) => keep.add(c.id));
      for (const old of attempts.slice(2)) if (old.state === 'CONTAINER_EXITED') await this.o.runtime.removeContainer(old.id);
    }
    // Sandboxes other than the newest go once none of their containers is kept.
    const containerSandbox = new Map((await this.o.runtime.listContainers({ labelSelector: { [PodUIDLabel]: pod.metadata.uid ?? '' } })).map((c) => [c.id, c.podSandboxId]));
    for (const s of state.sandboxes.slice(1)) {
      const used = [...keep].some((id) => containerSandbox.get(id) === s.id);
      if (!used) await this.o.runtime.removePodSandbox(s.id);
    }
  }
}
