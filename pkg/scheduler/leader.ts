// leader.ts: run a Scheduler under leader election on the Lease kube-system/skiff-scheduler.
// Every replica keeps its informers and cache warm; only the leader pops pods and binds. A
// leader that loses the lease stops its loop and campaigns again.
import type { Clock } from '../client/clock.js';
import { LeaderElector } from '../client/leaderelection.js';
import type { Logger } from '../client/logger.js';
import type { RestClient } from '../client/rest.js';
import type { Scheduler } from './scheduler.js';

/** SCHEDULER_LEASE is where scheduler replicas elect their leader. */
export const SCHEDULER_LEASE = { namespace: 'kube-system', name: 'skiff-scheduler' } as const;

/** LeaderOptions configure runWithLeaderElection. */
export interface LeaderOptions {
  client: RestClient;
  /** identity must be unique per replica (hostname plus a random suffix). */
  identity: string;
  namespace?: string;
  name?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** onLeading is told when this replica starts (true) and stops (false) leading. */
  onLeading?(leading: boolean): void;
}

/** runWithLeaderElection starts the scheduler's informers, then schedules whenever this replica leads, until signal aborts; then it writes the events still queued. */
export async function runWithLeaderElection(scheduler: Scheduler, opts: LeaderOptions, signal: AbortSignal): Promise<void> {
  if (!(await scheduler.start(signal))) return;
  while (!signal.aborted) {
    const elector = new LeaderElector({
      client: opts.client,
      namespace: opts.namespace ?? SCHEDULER_LEASE.namespace,
      name: opts.name ?? SCHEDULER_LEASE.name,
      identity: opts.identity,
      leaseDurationMs: opts.leaseDurationMs,
      renewDeadlineMs: opts.renewDeadlineMs,
      retryPeriodMs: opts.retryPeriodMs,
      clock: opts.clock,
      logger: opts.logger,
      callbacks: {
        onStartedLeading: async (leading) => {
          opts.onLeading?.(true);
          await scheduler.schedulingLoop(leading);
        },
        onStoppedLeading: () => opts.onLeading?.(false),
      },
    });
    await elector.run(signal);
  }
  // Scheduled events of the last term may still wait behind its bindings: write them before the client closes.
  await scheduler.flushEvents();
}
