// shutdown.ts: graceful node shutdown (kubelet's GracefulNodeShutdown). When the machine is about
// to power off, the agent reports the node NotReady ("node is shutting down"), then stops regular
// pods within shutdownGracePeriod − shutdownGracePeriodCriticalPods and critical pods within the
// rest, each pod with min(its terminationGracePeriodSeconds, its group's period), and reports them
// Failed/Terminated. Pods that arrive meanwhile are rejected (Failed/NodeShutdown).
//
//   trigger (SIGPWR) ─► node NotReady ─► regular pods ──(≤ grace − critical)──► critical pods ──(≤ critical)──► done
//
// An agent that is only stopped or restarted (SIGTERM, SIGINT, kill -9) leaves its pods running:
// only the shutdown trigger stops them.
import type { Logger } from 'pino';
import type { Pod, PodStatus } from '../api/core/pod-types.js';
import type { Condition } from '../api/meta.js';
import { SYSTEM_PRIORITY_CLASSES } from '../api/scheduling.js';
import { isMirrorPod, isStaticPod } from './static-pods.js';

/** NodeShutdownReason is the pod status reason of pods stopped for a node shutdown. */
export const NodeShutdownReason = 'Terminated';
/** NodeShutdownMessage is the pod status message of pods stopped for a node shutdown. */
export const NodeShutdownMessage = 'Pod was terminated in response to imminent node shutdown.';
/** NodeShutdownNotAdmittedReason is the reason of pods that arrive while the node shuts down. */
export const NodeShutdownNotAdmittedReason = 'NodeShutdown';
/** NodeShutdownNotAdmittedMessage is the message of pods that arrive while the node shuts down. */
export const NodeShutdownNotAdmittedMessage = 'Pod was rejected as the node is shutting down.';
/** NodeShuttingDownMessage is the Node's Ready=False message during a shutdown. */
export const NodeShuttingDownMessage = 'node is shutting down';
/** SystemCriticalPriority is the lowest priority of a critical pod (system-cluster-critical). */
export const SystemCriticalPriority = SYSTEM_PRIORITY_CLASSES['system-cluster-critical']!;

const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** parseDuration reads a Go duration ("30s", "1m30s", "500ms", "0") into milliseconds. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * units[m[2]!]!;
    pos = re.lastIndex;
  }
  if (!s || pos !== s.length) throw new Error(`invalid duration "${text}" (want e.g. 30s, 1m30s, 0)`);
  return total;
}

/** podPriority is spec.priority, or the value of a system class named in priorityClassName (static pods skip admission). */
export function podPriority(pod: Pod): number {
  if (pod.spec.priority !== undefined) return pod.spec.priority;
  return SYSTEM_PRIORITY_CLASSES[pod.spec.priorityClassName ?? ''] ?? 0;
}

/** isCriticalPod is kubelet's IsCriticalPod: static and mirror pods, and pods of system-critical priority. */
export function isCriticalPod(pod: Pod): boolean {
  return isStaticPod(pod) || isMirrorPod(pod) || podPriority(pod) >= SystemCriticalPriority;
}

/** ShutdownGroup is a set of pods stopped together within graceSeconds. */
export interface ShutdownGroup {
  name: 'regular' | 'critical';
  graceSeconds: number;
  pods: Pod[];
}

/**
 * shutdownGroups orders pods for a shutdown as kubelet does from shutdownGracePeriod and
 * shutdownGracePeriodCriticalPods: pods below system-critical priority first, then the others.
 * Pods that already finished are left out.
 */
export function shutdownGroups(pods: Pod[], graceSeconds: number, criticalGraceSeconds: number): ShutdownGroup[] {
  const live = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  return [
    { name: 'regular', graceSeconds: Math.max(0, graceSeconds - criticalGraceSeconds), pods: live.filter((p) => podPriority(p) < SystemCriticalPriority) },
    { name: 'critical', graceSeconds: Math.min(graceSeconds, criticalGraceSeconds), pods: live.filter((p) => podPriority(p) >= SystemCriticalPriority) },
  ];
}

/** podShutdownGrace is the grace a pod gets: its terminationGracePeriodSeconds, at most the group's period. */
export function podShutdownGrace(pod: Pod, groupGraceSeconds: number): number {
  const own = pod.spec.terminationGracePeriodSeconds;
  return own !== undefined && own <= groupGraceSeconds ? Math.max(0, own) : groupGraceSeconds;
}

/** shutdownStatus is the status of a pod stopped for the shutdown: Failed (unless it succeeded), Terminated, DisruptionTarget. */
export function shutdownStatus(status: PodStatus, nowIso: string): PodStatus {
  const notReady = (c: Condition): Condition => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False' } : c);
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget').map(notReady);
  conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: NodeShutdownMessage, lastTransitionTime: nowIso });
  return { ...status, phase: status.phase === 'Succeeded' ? 'Succeeded' : 'Failed', reason: NodeShutdownReason, message: NodeShutdownMessage, conditions };
}

/** ShutdownManagerOptions configure a ShutdownManager. */
export interface ShutdownManagerOptions {
  /** gracePeriodMs is shutdownGracePeriod (0 disables graceful shutdown). */
  gracePeriodMs: number;
  /** criticalGracePeriodMs is shutdownGracePeriodCriticalPods (part of gracePeriodMs). */
  criticalGracePeriodMs: number;
  /** pods lists the pods the node runs now. */
  pods: () => Pod[];
  /** markNodeShuttingDown reports the Node NotReady. */
  markNodeShuttingDown: () => Promise<void>;
  /** kill stops a pod within graceSeconds and reports it Failed/Terminated; resolves when done. */
  kill: (pod: Pod, graceSeconds: number) => Promise<void>;
  /** sleep waits (injected so tests need not wait). */
  sleep?: (ms: number) => Promise<void>;
  logger: Logger;
}

/** ShutdownManager runs a graceful node shutdown once. */
export class ShutdownManager {
  private running?: Promise<void>;
  private admitted?: Set<string>;

  constructor(private readonly o: ShutdownManagerOptions) {
    if (o.criticalGracePeriodMs > o.gracePeriodMs) throw new Error('shutdownGracePeriodCriticalPods must not be greater than shutdownGracePeriod');
  }

  /** enabled is true when a shutdown grace period is configured. */
  get enabled(): boolean {
    return this.o.gracePeriodMs > 0;
  }

  /** shuttingDown is true once a shutdown began. */
  get shuttingDown(): boolean {
    return this.running !== undefined;
  }

  /** admits is false for pods that arrived after the shutdown began (kubelet rejects them). */
  admits(uid: string): boolean {
    return !this.admitted || this.admitted.has(uid);
  }

  /** shutdown stops the node's pods in order; calling it again returns the same run. */
  shutdown(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  private async run(): Promise<void> {
    const log = this.o.logger.child({ component: 'shutdown' });
    const pods = this.o.pods();
    this.admitted = new Set(pods.map((p) => p.metadata.uid ?? ''));
    const grace = Math.floor(this.o.gracePeriodMs / 1000);
    const critical = Math.floor(this.o.criticalGracePeriodMs / 1000);
    log.info({ gracePeriodSeconds: grace, criticalGracePeriodSeconds: critical, pods: pods.length }, 'node is shutting down');
    await this.o.markNodeShuttingDown().catch((err) => log.warn({ err: (err as Error).message }, 'could not report the node NotReady'));
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
    for (const group of shutdownGroups(pods, grace, critical)) {
      if (!group.pods.length) continue;
      log.info({ group: group.name, graceSeconds: group.graceSeconds, pods: group.pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`) }, 'stopping pods for the node shutdown');
      const kills = Promise.all(
        group.pods.map((p) =>
          this.o.kill(p, podShutdownGrace(p, group.graceSeconds)).catch((err) => log.warn({ pod: `${p.metadata.namespace}/${p.metadata.name}`, err: (err as Error).message }, 'stopping pod for shutdown failed')),
        ),
      );
      // A group gets its period (plus a moment for the last status writes), then the next one starts regardless.
      let timedOut = false;
      await Promise.race([kills, sleep(group.graceSeconds * 1000 + 2000).then(() => (timedOut = true))]);
      if (timedOut) log.warn({ group: group.name }, 'shutdown grace period of the group ran out; moving on');
    }
    log.info('pods stopped for the node shutdown');
  }
}
