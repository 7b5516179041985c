// main.ts: `skiff agent` — startAgent for callers in-process (`skiff server` runs one) and
// agentMain(argv) for the command line.
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { loadKubeconfig, resolveContext } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest.js';
import { Agent, type AgentOptions, type BridgeNetworkSettings } from './agent.js';
import type { NodeConfig } from './node-status.js';
import { openRuntime } from './runtime.js';
import { parseDuration } from './shutdown.js';
import { parseFlags } from '../util/flags.js';

/** StartAgentOptions are the agent's settings (see agentUsage for the flags). */
export interface StartAgentOptions {
  /** server URL and token, or a kubeconfig file. */
  server?: string;
  token?: string;
  kubeconfig?: string;
  /** insecureSkipTLSVerify for an HTTPS server without a known CA. */
  insecureSkipTLSVerify?: boolean;
  nodeName: string;
  dataDir: string;
  /** runtime: in-process crun (default) or runc; runtimeEndpoint: a `skiff runtime` socket instead. */
  runtime?: 'crun' | 'runc';
  runtimeEndpoint?: string;
  port?: number;
  host?: string;
  nodeIP?: string;
  cgroupParent?: string;
  netnsPrefix?: string;
  insecureRegistries?: string[];
  node?: Partial<NodeConfig>;
  /** newId names runtime objects (tests use a unique prefix). */
  newId?: () => string;
  logger?: Logger;
  resyncMs?: number;
  plegMs?: number;
  leaseDurationSeconds?: number;
  /** pressure, evictionHard, evictionMonitoringMs: node-pressure eviction (see eviction.ts). */
  pressure?: AgentOptions['pressure'];
  evictionHard?: AgentOptions['evictionHard'];
  evictionMonitoringMs?: number;
  /** bridge turns on pod networking (pod IPs, service proxy, cluster DNS); default loopback-only pods. */
  bridge?: BridgeNetworkSettings;
  /** podManifestPath: directory of static pod manifests (kubelet's staticPodPath). */
  podManifestPath?: string;
  staticPodResyncMs?: number;
  /** shutdownGracePeriodMs, shutdownGracePeriodCriticalPodsMs: graceful node shutdown (0 = off). */
  shutdownGracePeriodMs?: number;
  shutdownGracePeriodCriticalPodsMs?: number;
}

/** startAgent opens the runtime, connects to the API server and starts the agent. */
export async function startAgent(opts: StartAgentOptions): Promise<Agent> {
  const logger = opts.logger ?? pino({ name: 'agent', level: process.env.SKIFF_LOG_LEVEL ?? 'info' });
  let client: RestClient;
  if (opts.server) {
    client = new RestClient({ server: opts.server, token: opts.token, insecureSkipTLSVerify: opts.insecureSkipTLSVerify, userAgent: `skiff-agent/${opts.nodeName}` });
  } else {
    const conn = resolveContext(loadKubeconfig({ path: opts.kubeconfig }));
    client = new RestClient({ ...conn, userAgent: `skiff-agent/${opts.nodeName}` });
  }
  const dataDir = path.resolve(opts.dataDir);
  const runtime = await openRuntime({ endpoint: opts.runtimeEndpoint, dataDir, runtime: opts.runtime, cgroupParent: opts.cgroupParent, insecureRegistries: opts.insecureRegistries, newId: opts.newId, logger: logger.child({ component: 'runtime' }) });
  try {
    return await Agent.start({
      client,
      nodeName: opts.nodeName,
      dataDir,
      runtime,
      logger,
      port: opts.port,
      host: opts.host,
      nodeIP: opts.nodeIP,
      cgroupParent: opts.cgroupParent,
      netnsPrefix: opts.netnsPrefix,
      node: opts.node,
      resyncMs: opts.resyncMs,
      plegMs: opts.plegMs,
      bridge: opts.bridge,
      leaseDurationSeconds: opts.leaseDurationSeconds,
      pressure: opts.pressure,
      evictionHard: opts.evictionHard,
      evictionMonitoringMs: opts.evictionMonitoringMs,
      staticPodPath: opts.podManifestPath,
      staticPodResyncMs: opts.staticPodResyncMs,
      shutdownGracePeriodMs: opts.shutdownGracePeriodMs,
      shutdownGracePeriodCriticalPodsMs: opts.shutdownGracePeriodCriticalPodsMs,
    });
  } catch (e) {
    client.close();
    throw e;
  }
}

/** agentUsage is the command's help text. */
export const agentUsage = `Usage: skiff agent --node-name NAME --data-dir DIR (--server URL [--token T] | --kubeconfig FILE) [flags]

Runs the node agent: registers the node and runs the pods bound to it.
  --server URL              API server URL
  --token T                 bearer token for the API server
  --kubeconfig FILE         kubeconfig instead of --server/--token
  --node-name NAME          name of this node (default: the hostname)
  --data-dir DIR            agent state: runtime, images, pod volumes, logs
  --runtime crun|runc       low-level OCI runtime of the in-process runtime (default crun)
  --runtime-endpoint PATH   use a \`skiff runtime\` socket instead of the in-process runtime
  --port N                  agent API port (default 10250; 0 = any free port)
  --address IP              agent API bind address (default 0.0.0.0)
  --node-ip IP              InternalIP to publish (default: first non-loopback IPv4)
  --cgroup-parent PATH      cgroup under which pods run (default /skiff)
  --netns-prefix P          name prefix of pod network namespaces (default skiff-pod-)
  --cpus N, --memory BYTES  override the machine's capacity (simulated nodes)
  --reserved-cpu MILLI, --reserved-memory BYTES   held back from allocatable
  --max-pods N              pod capacity (default 110)
  --insecure-registry H:P   registry that may be pulled over plain HTTP (loopback only)
  --pod-network bridge|loopback
                            bridge (default): pod IPs from the Node's podCIDR, service proxy and
                            cluster DNS on the bridge gateway; loopback: pods get only loopback
  --cluster-cidr CIDR       pod range of the cluster (default 10.42.0.0/16)
  --service-cidr CIDR       Service range (default 10.43.0.0/16)
  --extra-cluster-cidr CIDR more ranges pods reach without NAT (repeatable; e.g. the node range)
  --egress                  let pods reach addresses outside the cluster (outbound NAT; off by default)
  --dns-upstream IP[:PORT]  where cluster DNS forwards other names (default: none, REFUSED)
  --node-lease-duration S   node Lease duration in seconds (default 40), renewed every S/4
  --pod-manifest-path DIR   run the Pods of DIR/*.yaml|*.yml|*.json as static pods, also while the
                            API server is unreachable; each gets a mirror pod in the API
  --shutdown-grace-period D graceful node shutdown: on SIGPWR, stop pods within D (e.g. 30s), report
                            them Failed/Terminated and the node NotReady, then exit 0 (default 0 = off:
                            SIGPWR then only stops the agent, like SIGTERM)
  --shutdown-grace-period-critical-pods D
                            the last part of D kept for critical pods (system-*-critical; default 0)

Signals: SIGTERM/SIGINT stop the agent and leave pods running (a restarted agent re-adopts them);
SIGPWR means the machine is shutting down (see --shutdown-grace-period).
`;

/** agentMain runs the agent until SIGINT/SIGTERM; containers keep running after it stops. */
export async function agentMain(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      server: { type: 'string' },
      token: { type: 'string' },
      kubeconfig: { type: 'string' },
      'node-name': { type: 'string' },
      'data-dir': { type: 'string' },
      runtime: { type: 'string', default: 'crun' },
      'runtime-endpoint': { type: 'string' },
      port: { type: 'string', default: '10250' },
      address: { type: 'string', default: '0.0.0.0' },
      'node-ip': { type: 'string' },
      'cgroup-parent': { type: 'string', default: '/skiff' },
      'netns-prefix': { type: 'string' },
      cpus: { type: 'string' },
      memory: { type: 'string' },
      'reserved-cpu': { type: 'string' },
      'reserved-memory': { type: 'string' },
      'max-pods': { type: 'string' },
      'insecure-registry': { type: 'string', multiple: true, default: [] },
      'pod-network': { type: 'string', default: 'bridge' },
      'cluster-cidr': { type: 'string' },
      'service-cidr': { type: 'string' },
      'extra-cluster-cidr': { type: 'string', multiple: true, default: [] },
      egress: { type: 'boolean', default: false },
      'dns-upstream': { type: 'string' },
      'node-lease-duration': { type: 'string' },
      'pod-manifest-path': { type: 'string' },
      'shutdown-grace-period': { type: 'string', default: '0' },
      'shutdown-grace-period-critical-pods': { type: 'string', default: '0' },
    },
    agentUsage,
  );
  if (typeof values === 'number') return values;
  const runtime = values.runtime;
  const podNetwork = values['pod-network'];
  if (!values['data-dir'] || (!values.server && !values.kubeconfig) || (runtime !== 'crun' && runtime !== 'runc') || (podNetwork !== 'bridge' && podNetwork !== 'loopback')) {
    process.stderr.write(agentUsage);
    return 2;
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  let shutdownGracePeriodMs: number;
  let shutdownGracePeriodCriticalPodsMs: number;
  try {
    shutdownGracePeriodMs = parseDuration(values['shutdown-grace-period']);
    shutdownGracePeriodCriticalPodsMs = parseDuration(values['shutdown-grace-period-critical-pods']);
    if (shutdownGracePeriodCriticalPodsMs > shutdownGracePeriodMs) throw new Error('--shutdown-grace-period-critical-pods must not exceed --shutdown-grace-period');
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const os = await import('node:os');
  const agent = await startAgent({
    server: values.server,
    token: values.token,
    kubeconfig: values.kubeconfig,
    nodeName: values['node-name'] ?? os.hostname(),
    dataDir: values['data-dir'],
    runtime,
    runtimeEndpoint: values['runtime-endpoint'],
    port: Number(values.port),
    host: values.address,
    nodeIP: values['node-ip'],
    cgroupParent: values['cgroup-parent'],
    netnsPrefix: values['netns-prefix'],
    insecureRegistries: values['insecure-registry'],
    bridge:
      podNetwork === 'bridge'
        ? { clusterCidr: values['cluster-cidr'], serviceCidr: values['service-cidr'], extraClusterCidrs: values['extra-cluster-cidr'], egress: values.egress, dnsUpstream: values['dns-upstream'] }
        : undefined,
    leaseDurationSeconds: num(values['node-lease-duration']),
    podManifestPath: values['pod-manifest-path'],
    shutdownGracePeriodMs,
    shutdownGracePeriodCriticalPodsMs,
    node: { cpus: num(values.cpus), memoryBytes: num(values.memory), reservedCpuMilli: num(values['reserved-cpu']), reservedMemoryBytes: num(values['reserved-memory']), maxPods: num(values['max-pods']) },
  });
  // SIGTERM/SIGINT: the agent stops (restart, upgrade); pods keep running. SIGPWR: the machine is
  // going down (systemd's shutdown, a UPS daemon): with a grace period, pods are stopped first.
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGPWR'] as const) process.once(s, () => resolve(s));
  });
  if (signal === 'SIGPWR' && agent.shutdown.enabled) await agent.shutdownNode();
  await agent.stop();
  return 0;
}
