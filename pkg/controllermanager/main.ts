// main.ts: `skiff controller-manager`, the controller manager as a process of its own against
// an existing API server (kube-controller-manager's role); `skiff server` runs the same manager
// in-process. It runs until SIGINT or SIGTERM, then releases its Lease.
import { pino } from 'pino';
import { knownControllers } from './registry.js';
import { controllerOptionsFromEnv, parseDurationMs, startControllerManager } from './controllermanager.js';
import { parseFlags } from '../util/flags.js';

/** controllerManagerUsage is the command's help text. */
export const controllerManagerUsage = `usage: skiff controller-manager (--server URL | --kubeconfig FILE) [flags]

  --server URL                        API server URL (plain HTTP, no credentials)
  --kubeconfig FILE                   kubeconfig to reach the API server
  --controllers LIST                  "*" (default), names, "-name" to leave one out (known: ${Object.keys(knownControllers).join(', ')})
  --leader-elect BOOL                 campaign for the kube-system/skiff-controller-manager Lease (default true)
  --leader-elect-lease-duration D     lease duration (default 15s)
  --leader-elect-renew-deadline D     renew deadline (default 10s)
  --leader-elect-retry-period D       retry period (default 2s)
  --node-monitor-grace-period D       silence before a node becomes Ready=Unknown (default 40s)
  --node-monitor-period D             how often every node is checked (default 5s)
  --node-startup-grace-period D       grace period of a node that never posted status (default 60s)
`;

/** controllerManagerMain runs `skiff controller-manager ARGS` and resolves with the exit code once stopped. */
export async function controllerManagerMain(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      server: { type: 'string' },
      kubeconfig: { type: 'string' },
      controllers: { type: 'string' },
      'leader-elect': { type: 'string', default: 'true' },
      'leader-elect-lease-duration': { type: 'string' },
      'leader-elect-renew-deadline': { type: 'string' },
      'leader-elect-retry-period': { type: 'string' },
      'node-monitor-grace-period': { type: 'string' },
      'node-monitor-period': { type: 'string' },
      'node-startup-grace-period': { type: 'string' },
    },
    controllerManagerUsage,
  );
  if (typeof values === 'number') return values;
  if (!values.server && !values.kubeconfig) {
    process.stderr.write(controllerManagerUsage);
    return 2;
  }
  const duration = (flag: string): number | undefined => {
    const v = (values as Record<string, unknown>)[flag] as string | undefined;
    if (v === undefined) return undefined;
    const ms = parseDurationMs(v);
    if (ms === undefined) throw new Error(`--${flag}: not a duration: "${v}"`);
    return ms;
  };
  const options = { ...controllerOptionsFromEnv() };
  const grace = duration('node-monitor-grace-period');
  const period = duration('node-monitor-period');
  const startup = duration('node-startup-grace-period');
  if (grace !== undefined) options.nodeMonitorGracePeriodMs = grace;
  if (period !== undefined) options.nodeMonitorPeriodMs = period;
  if (startup !== undefined) options.nodeStartupGracePeriodMs = startup;

  const abort = new AbortController();
  const logger = pino({ level: process.env.SKIFF_LOG_LEVEL ?? 'info' });
  const manager = await startControllerManager({
    restConfig: values.server ? { server: values.server, userAgent: 'skiff-controller-manager' } : undefined,
    kubeconfig: values.kubeconfig,
    logger,
    signal: abort.signal,
    controllers: values.controllers?.split(',').filter(Boolean),
    leaderElection: values['leader-elect'] !== 'false',
    leaseDurationMs: duration('leader-elect-lease-duration'),
    renewDeadlineMs: duration('leader-elect-renew-deadline'),
    retryPeriodMs: duration('leader-elect-retry-period'),
    controllerOptions: options,
  });
  logger.info({ controllers: manager.controllers }, 'controller manager started');
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await manager.done;
  return 0;
}
