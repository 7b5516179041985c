// leaderelection.ts: leader election on a coordination.k8s.io/v1 Lease, as client-go's
// leaderelection package does it. Candidates race to write their identity into the Lease
// with compare-and-swap on resourceVersion; the holder renews it every retryPeriod, and others
// take over when they have not seen it change for leaseDuration (measured on their own clock,
// never by comparing timestamps written by another machine). A holder that cannot renew within
// renewDeadline steps down. On a graceful stop the holder clears holderIdentity so a successor
// need not wait for expiry.
import { isAlreadyExists, isConflict, isNotFound } from '../api/errors.js';
import { type Clock, realClock, sleep } from './clock.js';
import { resourcePath } from './descriptor.js';
import { defaultLogger, type Logger } from './logger.js';
import { Resources } from './resources.js';
import type { RestClient } from './rest.js';

/** LeaseSpec is coordination.k8s.io/v1 LeaseSpec. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** Lease is coordination.k8s.io/v1 Lease. */
export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string; uid?: string };
  spec: LeaseSpec;
}

/** LeaderCallbacks are told about leadership changes. */
export interface LeaderCallbacks {
  /** onStartedLeading runs the leader's work; signal aborts when leadership ends. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** onStoppedLeading is called after leading ends (lost or stopped), once the work has returned. */
  onStoppedLeading?(): void;
  /** onNewLeader is called when a different holder is observed (including ourselves). */
  onNewLeader?(identity: string): void;
}

/** LeaderElectionConfig configures a LeaderElector. */
export interface LeaderElectionConfig {
  client: RestClient;
  namespace: string;
  name: string;
  /** identity must be unique per candidate (e.g. hostname + random suffix). */
  identity: string;
  /** leaseDurationMs: how long others wait, after last seeing the lease change, before taking over (default 15 s). */
  leaseDurationMs?: number;
  /** renewDeadlineMs: how long the leader keeps trying to renew before it steps down (default 10 s). */
  renewDeadlineMs?: number;
  /** retryPeriodMs: the interval between attempts (default 2 s). */
  retryPeriodMs?: number;
  /** releaseOnCancel clears the lease on a graceful stop (default true). */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
}

/** jitterFactor spreads candidates' retries, as client-go's JitterFactor. */
const jitterFactor = 1.2;

/** formatMicroTime renders a MicroTime: RFC 3339 with microseconds, "2024-01-01T00:00:00.000000Z". */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** LeaderElector campaigns for, holds and releases one Lease. */
export class LeaderElector {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observed?: Lease;
  private observedTime = 0;
  private reportedLeader?: string;

  constructor(private readonly config: LeaderElectionConfig) {
    this.clock = config.clock ?? realClock;
    this.random = config.random ?? Math.random;
    this.logger = (config.logger ?? defaultLogger('leaderelection')).child({ lease: `${config.namespace}/${config.name}`, identity: config.identity });
    this.leaseDurationMs = config.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = config.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = config.retryPeriodMs ?? 2_000;
    if (!config.identity) throw new Error('leader election: identity is required');
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leader election: leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= jitterFactor * this.retryPeriodMs) throw new Error('leader election: renewDeadline must be greater than retryPeriod × 1.2');
  }

  /** isLeader tells whether we hold a lease that has not expired by our own clock. */
  isLeader(): boolean {
    return this.observed?.spec.holderIdentity === this.config.identity && this.clock.now() < this.observedTime + this.leaseDurationMs;
  }

  /** leader is the last observed holder ('' if none). */
  leader(): string {
    return this.observed?.spec.holderIdentity ?? '';
  }

  /**
   * run campaigns until elected, leads until leadership is lost or signal aborts, then (on
   * abort) releases the lease. It resolves when done; like client-go, it does not campaign
   * again after losing: callers that want to should call run again (or exit).
   */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    if (signal.aborted) {
      // Stopped while our winning write was in flight: hand the lease straight back.
      if (this.config.releaseOnCancel ?? true) await this.release();
      return;
    }
    const leading = new AbortController();
    const onAbort = (): void => leading.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.logger.info('started leading');
    const work = Promise.resolve()
      .then(() => this.config.callbacks.onStartedLeading(leading.signal))
      .catch((err) => this.logger.error({ err }, 'onStartedLeading failed'));
    try {
      await this.renew(leading.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      leading.abort();
      await work;
      if (signal.aborted && (this.config.releaseOnCancel ?? true)) await this.release();
      this.logger.info('stopped leading');
      this.config.callbacks.onStoppedLeading?.();
    }
  }

  /** acquire retries tryAcquireOrRenew every jittered retryPeriod until it wins or signal aborts. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.logger.debug('attempting to acquire the lease');
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) return true;
      await sleep(this.clock, this.retryPeriodMs * (1 + this.random() * jitterFactor), signal);
    }
    return false;
  }

  /** renew keeps the lease fresh every retryPeriod; it returns when renewals failed for renewDeadline or signal aborts. */
  private async renew(signal: AbortSignal): Promise<void> {
    let lastRenew = this.clock.now();
    while (!signal.aborted) {
      await sleep(this.clock, this.retryPeriodMs, signal);
      if (signal.aborted) return;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = this.clock.now();
        continue;
      }
      if (this.clock.now() - lastRenew >= this.renewDeadlineMs || (this.leader() !== this.config.identity && this.leader() !== '')) {
        this.logger.warn({ holder: this.leader() }, 'failed to renew the lease in time, stepping down');
        return;
      }
    }
  }

  /**
   * tryAcquireOrRenew makes one attempt to become or stay the holder. Its requests are bounded
   * by a timeout but never aborted: a write cut off mid-flight may still have been applied, and
   * we must know the lease's resourceVersion to release it.
   */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const { client, identity } = this.config;
    const path = resourcePath(Resources.leases, this.config.namespace, this.config.name);
    // Bounded by the renew deadline (as client-go bounds a renewal), not by the retry period:
    // a short timeout on a busy machine turns slow answers into lost leadership.
    const timeoutMs = Math.max(1, this.renewDeadlineMs);
    let current: Lease;
    try {
      current = await client.request<Lease>({ method: 'GET', path, timeoutMs, retry: false });
    } catch (err) {
      if (!isNotFound(err)) {
        this.logger.debug({ err }, 'reading the lease failed');
        return false;
      }
      const fresh: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.config.name, namespace: this.config.namespace },
        spec: this.spec(identity, now, now, 0),
      };
      try {
        const created = await client.request<Lease>({
          method: 'POST',
          path: resourcePath(Resources.leases, this.config.namespace),
          body: fresh,
          timeoutMs,
          retry: false,
        });
        this.observe(created, this.clock.now());
        return true;
      } catch (createErr) {
        if (!isAlreadyExists(createErr)) this.logger.debug({ err: createErr }, 'creating the lease failed');
        return false;
      }
    }

    if (!this.observed || JSON.stringify(this.observed.spec) !== JSON.stringify(current.spec)) this.observe(current, now);
    const holder = current.spec.holderIdentity ?? '';
    if (holder !== '' && holder !== identity && now < this.observedTime + this.leaseDurationMs) return false;

    const weHold = holder === identity;
    const next: Lease = {
      ...current,
      spec: this.spec(
        identity,
        weHold ? Date.parse(current.spec.acquireTime ?? '') || now : now,
        now,
        weHold ? (current.spec.leaseTransitions ?? 0) : (current.spec.leaseTransitions ?? 0) + 1,
      ),
    };
    try {
      const updated = await client.request<Lease>({ method: 'PUT', path, body: next, timeoutMs, retry: false });
      this.observe(updated, this.clock.now());
      if (!weHold) this.logger.info({ previous: holder }, 'acquired the lease');
      return true;
    } catch (err) {
      // 409: someone else wrote first; we will look again next period.
      if (!isConflict(err)) this.logger.debug({ err }, 'updating the lease failed');
      return false;
    }
  }

  /** release clears holderIdentity so a successor can take over without waiting for expiry. */
  private async release(): Promise<void> {
    const path = resourcePath(Resources.leases, this.config.namespace, this.config.name);
    const timeoutMs = Math.max(1000, this.renewDeadlineMs);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!this.observed || this.observed.spec.holderIdentity !== this.config.identity) return;
      const now = this.clock.now();
      const released: Lease = {
        ...this.observed,
        spec: { ...this.spec('', now, now, this.observed.spec.leaseTransitions ?? 0), leaseDurationSeconds: 1 },
      };
      try {
        const updated = await this.config.client.request<Lease>({ method: 'PUT', path, body: released, timeoutMs, retry: false });
        this.observe(updated, this.clock.now());
        this.logger.info('released the lease');
        return;
      } catch (err) {
        if (!isConflict(err)) {
          this.logger.warn({ err }, 'failed to release the lease');
          return;
        }
        // Our view is stale (e.g. a renewal landed after we stopped looking): re-read and retry if still ours.
        try {
          this.observe(await this.config.client.request<Lease>({ method: 'GET', path, timeoutMs, retry: false }), this.clock.now());
        } catch (getErr) {
          this.logger.warn({ err: getErr }, 'failed to release the lease');
          return;
        }
      }
    }
    this.logger.warn('failed to release the lease: it kept changing');
  }

  private spec(holder: string, acquireMs: number, renewMs: number, transitions: number): LeaseSpec {
    return {
      holderIdentity: holder,
      leaseDurationSeconds: Math.max(1, Math.round(this.leaseDurationMs / 1000)),
      acquireTime: formatMicroTime(acquireMs),
      renewTime: formatMicroTime(renewMs),
      leaseTransitions: transitions,
    };
  }

  private observe(lease: Lease, at: number): void {
    this.observed = lease;
    this.observedTime = at;
    const holder = lease.spec.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      try {
        this.config.callbacks.onNewLeader?.(holder);
      } catch (err) {
        this.logger.error({ err }, 'onNewLeader failed');
      }
    }
  }
}
