// Package server: `skiff server`, the all-in-one control plane. It supervises a local etcd
// (unless given --etcd-endpoints), runs the API server, bootstraps the system namespaces and
// writes DATA_DIR/kubeconfig.yaml. Later components (scheduler, controllers, agent) join here,
// each talking to the API over HTTP only.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import '../api/index.js';
import { isAlreadyExists } from '../api/errors.js';
import { ApiServer } from '../apiserver/server.js';
import { startEtcd, type EtcdProcess } from '../apiserver/etcdprocess.js';
import { buildKubeconfig, writeKubeconfig } from '../client/kubeconfig.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startControllerManager, type ControllerManager } from '../controllermanager/controllermanager.js';
import { RestClient } from '../client/rest.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { runWithLeaderElection } from '../scheduler/leader.js';
import { registerWhyExtension } from '../scheduler/why-handler.js';

/** ServerOptions configures `skiff server`. */
export interface ServerOptions {
  dataDir: string;
  /** listen is host:port; loopback only unless allowNonLoopback. */
  listen?: string;
  etcdEndpoints?: string[];
  allowNonLoopback?: boolean;
  logger?: Logger;
  /** controllers to run in the controller manager (kube-controller-manager's --controllers syntax; default all). */
  controllers?: string[];
}

/** RunningServer is a started control plane. */
export interface RunningServer {
  url: string;
  kubeconfigPath: string;
  api: ApiServer;
  etcd?: EtcdProcess;
  stop(): Promise<void>;
}

/** SYSTEM_NAMESPACES exist from the start, as in Kubernetes. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** parseListen splits "host:port" (or "[v6]:port"). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(listen) ?? /^([^:]+):(\d+)$/.exec(listen);
  if (!m) throw new Error(`--listen must be host:port, got "${listen}"`);
  return { host: m[1], port: Number(m[2]) };
}

/** startServer brings up etcd (if needed) and the API server. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.logger ?? pino({ level: process.env.SKIFF_LOG_LEVEL ?? 'info' });
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const { host, port } = parseListen(opts.listen ?? '127.0.0.1:6443');
  if (!isLoopback(host) && !opts.allowNonLoopback) {
    throw new Error(`refusing to listen on ${host}: this server has no TLS or authentication yet; pass --allow-non-loopback to do it anyway`);
  }
  let etcd: EtcdProcess | undefined;
  let stopping = false;
  let endpoints = opts.etcdEndpoints;
  if (!endpoints?.length) {
    const etcdDir = join(dataDir, 'etcd');
    etcd = await startEtcd({ dataDir: etcdDir });
    endpoints = [etcd.endpoint];
    log.info({ endpoint: etcd.endpoint, pid: etcd.pid }, 'etcd started');
    const { clientPort, peerPort } = etcd;
    // Supervise: restart etcd on the same ports if it dies while we run.
    const supervise = (proc: EtcdProcess) => {
      void proc.exited.then(async (code) => {
        if (stopping) return;
        log.warn({ code }, 'etcd exited; restarting');
        for (let attempt = 0; !stopping; attempt++) {
          try {
            etcd = await startEtcd({ dataDir: etcdDir, clientPort, peerPort });
            log.info({ pid: etcd.pid }, 'etcd restarted');
            supervise(etcd);
            return;
          } catch (err) {
            log.error({ err: (err as Error).message }, 'etcd restart failed');
            await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
          }
        }
      });
    };
    supervise(etcd);
  }
  const api = new ApiServer({ etcdEndpoints: endpoints, logger: log });
  let url: string;
  try {
    url = await api.listen(host, port);
  } catch (err) {
    // Not serving (e.g. the port is taken): the etcd started for us must not outlive us.
    stopping = true;
    await api.close().catch(() => undefined);
    await etcd?.stop();
    throw err;
  }
  await bootstrapNamespaces(api);
  const kubeconfigPath = join(dataDir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfigPath, buildKubeconfig({ server: url, name: 'skiff' }));
  log.info({ kubeconfig: kubeconfigPath }, 'kubeconfig written');
  // Components talk to the API over HTTP, like any other client, even in this process.
  const components = new AbortController();
  const restConfig = { server: url, userAgent: 'skiff-server' };
  const controllerManager: ControllerManager = await startControllerManager({
    restConfig,
    logger: log,
    signal: components.signal,
    controllers: opts.controllers,
  });
  // The scheduler binds pods through pods/binding, leading Lease kube-system/skiff-scheduler.
  const schedulerClient = new RestClient({ ...restConfig, userAgent: 'skiff-server/scheduler' });
  const identity = `${hostname()}_${randomBytes(4).toString('hex')}`;
  const scheduler = new Scheduler({ client: schedulerClient, logger: log, identity });
  // `skiff why` and `skiff schedule --dry-run` read this scheduler's cache through the API server (503 until it syncs).
  registerWhyExtension(api, () => (scheduler.hasSynced() ? scheduler : undefined));
  const schedulerDone = runWithLeaderElection(scheduler, { client: schedulerClient, identity, logger: log }, components.signal)
    .catch((err) => log.error({ err }, 'scheduler stopped'))
    .finally(() => schedulerClient.close());
  return {
    url,
    kubeconfigPath,
    api,
    get etcd() {
      return etcd;
    },
    async stop() {
      stopping = true;
      components.abort();
      await Promise.race([Promise.all([controllerManager.done, schedulerDone]), new Promise((r) => setTimeout(r, 5000))]);
      await api.close();
      await etcd?.stop();
    },
  };
}

async function bootstrapNamespaces(api: ApiServer): Promise<void> {
  const store = api.store('namespaces')!;
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await store.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { dryRun: false, fieldValidation: 'Strict', warnings: [] });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
}
