// Package controllers: one folder per controller, each a sync(key) over pkg/client informers
// and listers. context.ts holds what every controller is built from, so the controller manager
// (and tests) wire them all the same way.
import type { Registry } from 'prom-client';
import { type Clock, realClock } from '../client/clock.js';
import type { SharedInformerFactory } from '../client/factory.js';
import { defaultLogger, type Logger } from '../client/logger.js';
import { WorkQueue } from '../client/workqueue.js';
import type { RestClient } from '../client/rest.js';
import { EventRecorder } from './events.js';

/** ControllerContext is what a controller needs: the API client, shared informers, a clock, a logger. */
export interface ControllerContext {
  client: RestClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  logger?: Logger;
  /** metrics receives work queue metrics (none if omitted). */
  metrics?: Registry;
  /** recorder writes Events (default: one that writes through client). */
  recorder?: EventRecorder;
  /** options are per-controller settings (kube-controller-manager's flags). */
  options?: ControllerOptions;
}

/** ControllerOptions are the settings of individual controllers, all optional (Kubernetes' defaults apply). */
export interface ControllerOptions {
  /** nodeMonitorGracePeriodMs: a node silent this long becomes Ready=Unknown (--node-monitor-grace-period, 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** nodeMonitorPeriodMs: how often the node lifecycle controller looks at every node (--node-monitor-period, 5 s). */
  nodeMonitorPeriodMs?: number;
  /** nodeStartupGracePeriodMs: the grace period of a node that never posted status (--node-startup-grace-period, 60 s). */
  nodeStartupGracePeriodMs?: number;
}

/** Runnable is a started-once loop: a controller's run(signal) resolves after signal aborts. */
export interface Runnable {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

/** ResolvedContext is a ControllerContext with defaults filled in. */
export interface ResolvedContext {
  client: RestClient;
  informers: SharedInformerFactory;
  clock: Clock;
  logger: Logger;
  metrics?: Registry;
  recorder: EventRecorder;
}

/** resolveContext fills in the defaults of a ControllerContext for the named controller. */
export function resolveContext(ctx: ControllerContext, name: string): ResolvedContext {
  const clock = ctx.clock ?? realClock;
  const logger = (ctx.logger ?? defaultLogger('controller-manager')).child({ controller: name });
  return {
    client: ctx.client,
    informers: ctx.informers,
    clock,
    logger,
    metrics: ctx.metrics,
    recorder: ctx.recorder ?? new EventRecorder(ctx.client, { component: name, clock, logger }),
  };
}

/** newQueue makes the controller's work queue on the context's clock. */
export function newQueue(ctx: ResolvedContext, name: string): WorkQueue {
  return new WorkQueue({ name, clock: ctx.clock, metrics: ctx.metrics });
}
