// probe-manager.ts: one probe worker per (pod, container, probe type) while the container runs.
// A worker waits initialDelaySeconds, checks every periodSeconds, and flips its result only
// after successThreshold successes or failureThreshold failures in a row. Liveness and
// readiness wait for the startup probe to succeed. A change of result wakes the pod's worker.
import type { Container, Probe } from '../api/core/pod-types.js';
import { type Clock, realClock, type TimerHandle } from '../client/clock.js';
import type { Prober, ProbeTarget } from './prober.js';

/** ProbeType is which probe a worker runs. */
export type ProbeType = 'startup' | 'liveness' | 'readiness';

interface Worker {
  podUID: string;
  container: string;
  containerId: string;
  type: ProbeType;
  probe: Probe;
  target: ProbeTarget;
  startedAtMs: number;
  result: boolean;
  /** consecutive successes (positive) or failures (negative). */
  streak: number;
  timer?: TimerHandle;
  running: boolean;
  stopped: boolean;
  lastMessage: string;
  /** failedFinal: a liveness or startup probe crossed its failure threshold; the container must go. */
  failedFinal: boolean;
}

/** RunningContainer is a container the probe manager should watch. */
export interface RunningContainer {
  spec: Container;
  containerId: string;
  startedAtMs: number;
  target: ProbeTarget;
}

/** ProbeManagerOptions configure a ProbeManager. */
export interface ProbeManagerOptions {
  prober: Pick<Prober, 'check'>;
  clock?: Clock;
  /** onChange is called with the pod uid when a result changes. */
  onChange: (podUID: string, container: string, type: ProbeType, result: boolean, message: string) => void;
}

/** ProbeManager runs probe workers and answers "is it started / ready / alive". */
export class ProbeManager {
  private readonly workers = new Map<string, Worker>();
  private readonly clock: Clock;

  constructor(private readonly opts: ProbeManagerOptions) {
    this.clock = opts.clock ?? realClock;
  }

  private key(podUID: string, container: string, type: ProbeType): string {
    return `${podUID}/${container}/${type}`;
  }

  /** syncPod makes the workers match the pod's running containers; others stop. */
  syncPod(podUID: string, running: RunningContainer[]): void {
    const wanted = new Set<string>();
    for (const rc of running) {
      for (const type of ['startup', 'liveness', 'readiness'] as const) {
        const probe = type === 'startup' ? rc.spec.startupProbe : type === 'liveness' ? rc.spec.livenessProbe : rc.spec.readinessProbe;
        if (!probe) continue;
        const key = this.key(podUID, rc.spec.name, type);
        wanted.add(key);
        const w = this.workers.get(key);
        if (w && w.containerId === rc.containerId) continue;
        if (w) this.stopWorker(w);
        this.startWorker(key, { podUID, container: rc.spec.name, containerId: rc.containerId, type, probe, target: rc.target, startedAtMs: rc.startedAtMs });
      }
    }
    for (const [key, w] of this.workers) if (w.podUID === podUID && !wanted.has(key)) this.stopWorker(w, key);
  }

  /** removePod stops every worker of the pod. */
  removePod(podUID: string): void {
    this.syncPod(podUID, []);
  }

  /** stop stops every worker. */
  stop(): void {
    for (const [key, w] of this.workers) this.stopWorker(w, key);
  }

  private worker(podUID: string, container: string, type: ProbeType, containerId: string): Worker | undefined {
    const w = this.workers.get(this.key(podUID, container, type));
    return w && w.containerId === containerId ? w : undefined;
  }

  /** started: the startup probe passed (or there is none). */
  started(podUID: string, c: Container, containerId: string): boolean {
    if (!c.startupProbe) return true;
    return this.worker(podUID, c.name, 'startup', containerId)?.result ?? false;
  }

  /** ready: started and the readiness probe passes (or there is none). */
  ready(podUID: string, c: Container, containerId: string): boolean {
    if (!this.started(podUID, c, containerId)) return false;
    if (!c.readinessProbe) return true;
    return this.worker(podUID, c.name, 'readiness', containerId)?.result ?? false;
  }

  /** livenessFailure returns the message of a failed liveness (or startup) probe, else undefined. */
  livenessFailure(podUID: string, c: Container, containerId: string): string | undefined {
    for (const type of ['startup', 'liveness'] as const) {
      const w = this.worker(podUID, c.name, type, containerId);
      if (w && w.failedFinal) return `${type === 'startup' ? 'Startup' : 'Liveness'} probe failed: ${w.lastMessage}`;
    }
    return undefined;
  }

  private startWorker(key: string, init: Omit<Worker, 'result' | 'streak' | 'running' | 'stopped' | 'lastMessage' | 'failedFinal'>): void {
    // Readiness starts false, liveness true (a container is alive until proven otherwise), startup false.
    const w: Worker = { ...init, result: init.type === 'liveness', streak: 0, running: false, stopped: false, lastMessage: '', failedFinal: false };
    this.workers.set(key, w);
    const initialDelayMs = (init.probe.initialDelaySeconds ?? 0) * 1000;
    const due = Math.max(0, init.startedAtMs + initialDelayMs - this.clock.now());
    w.timer = this.clock.setTimeout(() => void this.tick(w), due);
  }

  private stopWorker(w: Worker, key = this.key(w.podUID, w.container, w.type)): void {
    w.stopped = true;
    if (w.timer !== undefined) this.clock.clearTimeout(w.timer);
    if (this.workers.get(key) === w) this.workers.delete(key);
  }

  private async tick(w: Worker): Promise<void> {
    if (w.stopped) return;
    const periodMs = (w.probe.periodSeconds ?? 10) * 1000;
    const gated = w.type !== 'startup' && this.workers.get(this.key(w.podUID, w.container, 'startup'));
    if (gated && !(gated.containerId === w.containerId && gated.result)) {
      w.timer = this.clock.setTimeout(() => void this.tick(w), Math.min(periodMs, 1000));
      return;
    }
    if (w.type === 'startup' && w.result) return; // a startup probe stops once it succeeded
    const outcome = await this.opts.prober.check(w.probe, w.target, w.probe.timeoutSeconds ?? 1);
    if (w.stopped) return;
    w.lastMessage = outcome.message;
    w.streak = outcome.success ? Math.max(1, w.streak + 1) : Math.min(-1, w.streak - 1);
    const successThreshold = w.type === 'readiness' ? (w.probe.successThreshold ?? 1) : 1;
    const failureThreshold = w.probe.failureThreshold ?? 3;
    let changed = false;
    if (!w.result && w.streak >= successThreshold) {
      w.result = true;
      changed = true;
    } else if (w.result && w.streak <= -failureThreshold) {
      w.result = false;
      changed = true;
    } else if (w.type === 'startup' && w.streak <= -failureThreshold && !w.failedFinal) {
      changed = true;
    }
    if (!w.result && w.type !== 'readiness' && w.streak <= -failureThreshold) w.failedFinal = true;
    if (changed) this.opts.onChange(w.podUID, w.container, w.type, w.result, outcome.message);
    // A failed liveness worker stays until the pod worker kills the container (the id then changes).
    if (w.failedFinal) return;
    w.timer = this.clock.setTimeout(() => void this.tick(w), periodMs);
  }
}
