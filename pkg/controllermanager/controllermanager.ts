// Package controllermanager: runs the controllers of pkg/controllers in one process over one
// shared informer factory, while holding the Lease kube-system/skiff-controller-manager (so
// several managers can run and only one acts). It serves nothing itself: the caller wires
// /healthz and /metrics.
//
//   startControllerManager ─► leader election ─(leading)─► informers + controllers ─(signal / lost lease)─► stop
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Registry } from 'prom-client';
import '../api/index.js';
import { type Clock, realClock, sleep } from '../client/clock.js';
import { SharedInformerFactory } from '../client/factory.js';
import { loadKubeconfig, resolveContext } from '../client/kubeconfig.js';
import { LeaderElector } from '../client/leaderelection.js';
import { defaultLogger, type Logger } from '../client/logger.js';
import { RestClient, type RestConfig } from '../client/rest.js';
import type { ControllerOptions, Runnable } from '../controllers/context.js';
import { knownControllers, selectControllers } from './registry.js';

/** LEASE_NAMESPACE and LEASE_NAME locate the controller manager's Lease. */
export const LEASE_NAMESPACE = 'kube-system';
export const LEASE_NAME = 'skiff-controller-manager';

/** ControllerManagerOptions configure startControllerManager. */
export interface ControllerManagerOptions {
  /** restConfig says how to reach the API server; else kubeconfig (a path) is loaded. */
  restConfig?: RestConfig;
  kubeconfig?: string;
  logger?: Logger;
  /** signal stops the manager: controllers finish their syncs, the lease is released. */
  signal: AbortSignal;
  /** controllers to run: names, "*" for all, "-name" to leave one out (default all). */
  controllers?: string[];
  /** leaderElection can be turned off for a single manager (default on). */
  leaderElection?: boolean;
  /** identity in the Lease (default hostname + random suffix). */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: Clock;
  metrics?: Registry;
  /** resyncMs is the informers' resync period (default 0: none). */
  resyncMs?: number;
  /** controllerOptions are per-controller settings (default: from SKIFF_NODE_MONITOR_* variables, else Kubernetes' defaults). */
  controllerOptions?: ControllerOptions;
}

/** ControllerManager is a started manager. */
export interface ControllerManager {
  /** controllers lists the names of the controllers this manager runs when leading. */
  readonly controllers: string[];
  /** isLeader tells whether this manager currently leads (always true without leader election). */
  isLeader(): boolean;
  /** done resolves when the manager has stopped (after the signal aborted). */
  readonly done: Promise<void>;
}

/** startControllerManager starts campaigning (or running, without leader election) and returns at once. */
export async function startControllerManager(opts: ControllerManagerOptions): Promise<ControllerManager> {
  const logger = (opts.logger ?? defaultLogger('controller-manager')).child({ component: 'controller-manager' });
  const names = selectControllers(opts.controllers);
  const client = new RestClient(opts.restConfig ?? restConfigFromKubeconfig(opts.kubeconfig));
  const clock = opts.clock ?? realClock;
  let leading = false;

  const lead = async (signal: AbortSignal): Promise<void> => {
    leading = true;
    try {
      await runControllers(client, names, { logger, clock, metrics: opts.metrics, resyncMs: opts.resyncMs, options: { ...controllerOptionsFromEnv(), ...opts.controllerOptions } }, signal);
    } finally {
      leading = false;
    }
  };

  let done: Promise<void>;
  if (opts.leaderElection === false) {
    done = lead(opts.signal);
  } else {
    const identity = opts.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
    done = (async () => {
      // Like kube-controller-manager, a manager that loses its lease stops its controllers; this
      // one then campaigns again rather than exiting, so `skiff server` keeps working.
      while (!opts.signal.aborted) {
        const elector = new LeaderElector({
          client,
          namespace: LEASE_NAMESPACE,
          name: LEASE_NAME,
          identity,
          leaseDurationMs: opts.leaseDurationMs,
          renewDeadlineMs: opts.renewDeadlineMs,
          retryPeriodMs: opts.retryPeriodMs,
          clock,
          logger,
          callbacks: { onStartedLeading: (signal) => lead(signal), onNewLeader: (id) => logger.info({ leader: id }, 'leader observed') },
        });
        await elector.run(opts.signal);
        await sleep(clock, opts.retryPeriodMs ?? 2000, opts.signal);
      }
    })();
  }
  done = done.finally(() => client.close());
  return { controllers: names, isLeader: () => leading, done };
}

/** runControllers builds the named controllers over one informer factory and runs them until signal aborts. */
export async function runControllers(
  client: RestClient,
  names: string[],
  opts: { logger: Logger; clock?: Clock; metrics?: Registry; resyncMs?: number; options?: ControllerOptions },
  parent: AbortSignal,
): Promise<void> {
  // Every informer and controller listens on the signal: more than Node's default of 10.
  const local = new AbortController();
  setMaxListeners(1000, local.signal);
  const signal = local.signal;
  const onAbort = (): void => local.abort();
  if (parent.aborted) local.abort();
  else parent.addEventListener('abort', onAbort, { once: true });
  const informers = new SharedInformerFactory(client, { logger: opts.logger.child({ component: 'informers' }), clock: opts.clock, defaultResyncMs: opts.resyncMs });
  const ctx = { client, informers, clock: opts.clock, logger: opts.logger, metrics: opts.metrics, options: opts.options };
  const controllers: Runnable[] = names.map((name) => knownControllers[name](ctx));
  informers.start(signal);
  opts.logger.info({ controllers: names }, 'starting controllers');
  await Promise.all(controllers.map((c) => c.run(signal).catch((err) => opts.logger.error({ err, controller: c.name }, 'controller stopped with an error'))));
  await informers.shutdown();
  parent.removeEventListener('abort', onAbort);
  opts.logger.info('controllers stopped');
}

/**
 * controllerOptionsFromEnv reads SKIFF_NODE_MONITOR_GRACE_PERIOD, SKIFF_NODE_MONITOR_PERIOD and
 * SKIFF_NODE_STARTUP_GRACE_PERIOD (milliseconds, or a duration such as "40s", "500ms", "1m"), so
 * tests and e2e can shorten the node timeouts of a `skiff server` without new flags.
 */
export function controllerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ControllerOptions {
  const out: ControllerOptions = {};
  const read = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const ms = parseDurationMs(v);
    if (ms === undefined) throw new Error(`${name}: not a duration: "${v}"`);
    return ms;
  };
  const grace = read('SKIFF_NODE_MONITOR_GRACE_PERIOD');
  const period = read('SKIFF_NODE_MONITOR_PERIOD');
  const startup = read('SKIFF_NODE_STARTUP_GRACE_PERIOD');
  if (grace !== undefined) out.nodeMonitorGracePeriodMs = grace;
  if (period !== undefined) out.nodeMonitorPeriodMs = period;
  if (startup !== undefined) out.nodeStartupGracePeriodMs = startup;
  return out;
}

/** parseDurationMs reads "1500" (ms), "500ms", "40s", "1m" or "1h30m"; undefined if malformed. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = t;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]];
    rest = rest.slice(m[0].length);
  }
  return t ? Math.round(total) : undefined;
}

function restConfigFromKubeconfig(path: string | undefined): RestConfig {
  const conn = resolveContext(loadKubeconfig({ path }));
  return {
    server: conn.server,
    ca: conn.ca,
    cert: conn.cert,
    key: conn.key,
    token: conn.token,
    username: conn.username,
    password: conn.password,
    insecureSkipTLSVerify: conn.insecureSkipTLSVerify,
    tlsServerName: conn.tlsServerName,
    userAgent: 'skiff-controller-manager',
  };
}
