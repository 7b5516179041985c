// pod-status.ts: the pod status the agent reports, computed from the spec, what the runtime
// says about the pod's containers, the waiting reasons the worker recorded and the probes.
// Pure: the same inputs give the same status, so unchanged pods cause no writes.
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from '../api/core/pod-types.js';
import type { ContainerStatus as CriContainerStatus } from '../runtime/types.js';
import { RestartCountAnnotation } from './labels.js';

/** ContainerIDPrefix is the runtime scheme in containerID ("skiff://<id>"), like "containerd://". */
export const ContainerIDPrefix = 'skiff://';

/** Waiting is why a container is not running, as the worker last saw it. */
export interface Waiting {
  reason: string;
  message?: string;
}

/** StatusInput is everything computePodStatus looks at. */
export interface StatusInput {
  pod: Pod;
  /** containers: every container of the pod the runtime knows (all attempts). */
  containers: CriContainerStatus[];
  sandboxReady: boolean;
  /** waiting: reasons recorded by the worker, by container name. */
  waiting: Map<string, Waiting>;
  ready(c: Container, containerId: string): boolean;
  started(c: Container, containerId: string): boolean;
  hostIP: string;
  podIP: string;
  /** nowIso is the time for new transitions and startTime. */
  nowIso: string;
}

/** nsToIso renders a CRI nanosecond timestamp as an RFC 3339 time (seconds precision, as Kubernetes writes). */
export function nsToIso(ns: number): string {
  return new Date(Math.floor(Number(ns) / 1e6)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** attemptsOf returns a container's attempts, newest first. */
export function attemptsOf(containers: CriContainerStatus[], name: string): CriContainerStatus[] {
  return containers.filter((c) => c.metadata.name === name).sort((a, b) => attemptNumber(b) - attemptNumber(a) || Number(b.createdAt) - Number(a.createdAt));
}

/** attemptNumber is the restart count a container was created with. */
export function attemptNumber(c: CriContainerStatus): number {
  return Number(c.annotations?.[RestartCountAnnotation] ?? c.metadata.attempt ?? 0);
}

function terminated(c: CriContainerStatus): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: c.startedAt ? nsToIso(c.startedAt) : undefined,
      finishedAt: c.finishedAt ? nsToIso(c.finishedAt) : undefined,
      containerID: ContainerIDPrefix + c.id,
    },
  };
}

function containerStatus(input: StatusInput, spec: Container, defaultWaiting: string): ContainerStatus {
  const [latest, previous] = attemptsOf(input.containers, spec.name);
  const waiting = input.waiting.get(spec.name);
  const out: ContainerStatus = { name: spec.name, state: {}, lastState: {}, ready: false, restartCount: 0, image: spec.image ?? '', imageID: '', started: false };
  if (!latest) {
    out.state = { waiting: { reason: waiting?.reason ?? defaultWaiting, ...(waiting?.message ? { message: waiting.message } : {}) } };
    return out;
  }
  out.restartCount = attemptNumber(latest);
  out.imageID = latest.imageRef;
  out.containerID = ContainerIDPrefix + latest.id;
  if (latest.state === 'CONTAINER_RUNNING') {
    out.state = { running: { startedAt: nsToIso(latest.startedAt) } };
    out.started = input.started(spec, latest.id);
    out.ready = out.started && input.ready(spec, latest.id);
    if (previous && previous.state === 'CONTAINER_EXITED') out.lastState = terminated(previous);
  } else if (latest.state === 'CONTAINER_EXITED') {
    if (waiting) {
      out.state = { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
      out.lastState = terminated(latest);
    } else {
      out.state = terminated(latest);
      if (previous && previous.state === 'CONTAINER_EXITED') out.lastState = terminated(previous);
    }
  } else {
    out.state = { waiting: { reason: waiting?.reason ?? 'ContainerCreating', ...(waiting?.message ? { message: waiting.message } : {}) } };
  }
  return out;
}

/** podPhase is kubelet's getPhase over the computed container statuses. */
export function podPhase(pod: Pod, init: ContainerStatus[], app: ContainerStatus[]): PodPhase {
  const policy = pod.spec.restartPolicy ?? 'Always';
  let initPending = false;
  for (const s of init) {
    const t = s.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (policy === 'Never' && (t || s.lastState?.terminated) && (t?.exitCode ?? s.lastState?.terminated?.exitCode) !== 0) return 'Failed';
    initPending = true;
  }
  if (initPending) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(old: PodCondition[] | undefined, type: string, ok: boolean, nowIso: string, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const c: PodCondition = { type, status, lastProbeTime: null, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : nowIso };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

/** computePodStatus builds the full status the agent reports for a pod. */
export function computePodStatus(input: StatusInput): PodStatus {
  const { pod } = input;
  const old = pod.status ?? {};
  const initSpecs = pod.spec.initContainers ?? [];
  const init = initSpecs.map((c) => containerStatus(input, c, 'PodInitializing'));
  const initDone = init.every((s) => s.state?.terminated?.exitCode === 0);
  const app = pod.spec.containers.map((c) => containerStatus(input, c, initDone ? 'ContainerCreating' : 'PodInitializing'));
  let phase = podPhase(pod, init, app);
  // A terminal phase is final, as in Kubernetes.
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const unready = app.filter((s) => !s.ready).map((s) => s.name);
  const incomplete = init.filter((s) => s.state?.terminated?.exitCode !== 0).map((s) => s.name);
  const oldConds = old.conditions;
  const scheduled = oldConds?.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: input.nowIso };
  const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const conditions: PodCondition[] = [
    condition(oldConds, 'PodReadyToStartContainers', input.sandboxReady, input.nowIso),
    condition(oldConds, 'Initialized', initDone, input.nowIso, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    condition(oldConds, 'Ready', !terminal && unready.length === 0, input.nowIso, readyReason, readyMessage),
    condition(oldConds, 'ContainersReady', !terminal && unready.length === 0, input.nowIso, readyReason, readyMessage),
    scheduled,
  ];
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: input.hostIP ? [{ ip: input.hostIP }] : [],
    startTime: old.startTime ?? input.nowIso,
    containerStatuses: app,
  };
  if (input.podIP) {
    status.podIP = input.podIP;
    status.podIPs = [{ ip: input.podIP }];
  }
  if (init.length) status.initContainerStatuses = init;
  if (old.qosClass) status.qosClass = old.qosClass;
  return status;
}
