// cluster.ts: `skiff cluster up --nodes N` / `down` / `status` — a local multi-node cluster on
// one machine: a control plane (`skiff server --disable-agent`) listening on the host's lab
// address, and N agents, each a simulated host in its own network namespace (hosts.ts) with
// its own node name, data dir, cgroup parent and pod network, joined with
// `skiff agent --server URL --token T`. Everything it starts and makes is written to
// DATA/cluster.json, so `down` removes exactly that: processes by PID, containers, mounts,
// namespaces, cgroups, routes and files.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CLUSTER_CIDR } from '../network/node-ipam.js';
import { listNetns } from '../network/netns.js';
import { DEFAULT_SERVICE_CIDR } from '../network/node-network.js';
import { processAlive } from '../runtime/conmon.js';
import { createHosts, deleteHosts, planHosts, setHostLink, type HostsPlan } from './hosts.js';
import { importSampleImages, removeNodeState } from './node-state.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cmd', 'skiff', 'bin.js');

/** ClusterUpOptions configure `cluster up`. */
export interface ClusterUpOptions {
  /** dataDir holds server/, nodes/<node>/ and cluster.json. */
  dataDir: string;
  nodes: number;
  /** name prefixes namespaces, links and cgroups (default "skiff"). */
  name?: string;
  labCidr?: string;
  port?: number;
  runtime?: 'crun' | 'runc';
  /** serverArgs / agentArgs are extra flags (e.g. tuned timeouts in tests). */
  serverArgs?: string[];
  agentArgs?: string[];
  /** images: import the sample images into every node (default true). */
  images?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  timeoutMs?: number;
}

/** AgentRecord is one started agent. */
export interface AgentRecord {
  nodeName: string;
  pid: number;
  dataDir: string;
  cgroupParent: string;
  netnsPrefix: string;
  address: string;
  args: string[];
  logFile: string;
}

/** ClusterState is DATA/cluster.json. */
export interface ClusterState {
  name: string;
  dataDir: string;
  token: string;
  server: { pid: number; url: string; dataDir: string; kubeconfig: string; args: string[]; logFile: string };
  hosts: HostsPlan;
  agents: AgentRecord[];
  env?: Record<string, string>;
}

/** statePath is where a cluster's state file lives. */
export function statePath(dataDir: string): string {
  return join(resolve(dataDir), 'cluster.json');
}

/** readClusterState loads DATA/cluster.json (undefined: no cluster there). */
export function readClusterState(dataDir: string): ClusterState | undefined {
  const p = statePath(dataDir);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as ClusterState) : undefined;
}

async function writeState(state: ClusterState): Promise<void> {
  const p = statePath(state.dataDir);
  writeFileSync(`${p}.tmp`, JSON.stringify(state, null, 2) + '\n');
  await rename(`${p}.tmp`, p);
}

/** startDetached runs argv in the background with output appended to logFile, and returns its PID. */
function startDetached(argv: string[], logFile: string, env: NodeJS.ProcessEnv): number {
  const fd = openSync(logFile, 'a');
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.unref();
  if (!child.pid) throw new Error(`could not start ${argv.join(' ')}`);
  return child.pid;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>, onTimeout?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${onTimeout ? `\n${onTimeout()}` : ''}`);
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

interface NodeList {
  items: { metadata: { name: string }; spec?: { podCIDR?: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}

/** readyNodes returns the names of Ready nodes with a pod CIDR. */
export async function readyNodes(serverUrl: string): Promise<string[]> {
  const res = await fetch(`${serverUrl}/api/v1/nodes`);
  if (!res.ok) return [];
  const list = (await res.json()) as NodeList;
  return list.items.filter((n) => n.spec?.podCIDR && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name);
}

function agentArgs(state: ClusterState, rec: AgentRecord, extra: string[], runtime: string): string[] {
  return [
    'agent',
    '--server',
    state.server.url,
    '--token',
    state.token,
    '--node-name',
    rec.nodeName,
    '--data-dir',
    rec.dataDir,
    '--node-ip',
    rec.address,
    '--address',
    rec.address,
    '--port',
    '10250',
    '--cgroup-parent',
    rec.cgroupParent,
    '--netns-prefix',
    rec.netnsPrefix,
    '--runtime',
    runtime,
    '--pod-network',
    'bridge',
    '--extra-cluster-cidr',
    state.hosts.labCidr,
    ...extra,
  ];
}

/** startAgentProcess starts (or restarts) one node's agent inside its host namespace. */
export async function startAgentProcess(state: ClusterState, nodeName: string): Promise<number> {
  const rec = state.agents.find((a) => a.nodeName === nodeName);
  const host = state.hosts.nodes.find((n) => n.nodeName === nodeName);
  if (!rec || !host) throw new Error(`no node ${nodeName} in cluster ${state.name}`);
  const env = { ...process.env, ...(state.env ?? {}) };
  // nsenter joins only the network namespace (`ip netns exec` would also give the agent a mount
  // namespace of its own, hiding its container mounts from the host).
  rec.pid = startDetached(['nsenter', `--net=${host.netnsPath}`, process.execPath, BIN, ...rec.args], rec.logFile, env);
  await writeState(state);
  return rec.pid;
}

/** clusterUp brings up the control plane and the agents and waits until every node is Ready. */
export async function clusterUp(o: ClusterUpOptions): Promise<ClusterState> {
  const log = o.log ?? (() => undefined);
  const dataDir = resolve(o.dataDir);
  const name = o.name ?? 'skiff';
  const existing = readClusterState(dataDir);
  if (existing && (await processAlive(existing.server.pid))) throw new Error(`a cluster is already up in ${dataDir} (server pid ${existing.server.pid}); run \`skiff cluster down\` first`);
  if (o.nodes < 1 || o.nodes > 20) throw new Error('--nodes must be between 1 and 20');
  await mkdir(dataDir, { recursive: true });
  const nodeNames = Array.from({ length: o.nodes }, (_, i) => `node-${i + 1}`);
  const hosts = planHosts(name, nodeNames, o.labCidr ?? '10.44.0.0/24', [DEFAULT_CLUSTER_CIDR, DEFAULT_SERVICE_CIDR]);
  const port = o.port ?? 6443;
  const serverDir = join(dataDir, 'server');
  await mkdir(serverDir, { recursive: true });
  const envOverrides: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.env ?? {})) if (v !== undefined) envOverrides[k] = v;
  const state: ClusterState = {
    name,
    dataDir,
    token: randomBytes(16).toString('hex'),
    server: {
      pid: 0,
      url: `http://${hosts.hostAddress}:${port}`,
      dataDir: serverDir,
      kubeconfig: join(serverDir, 'kubeconfig.yaml'),
      args: ['server', '--data-dir', serverDir, '--listen', `${hosts.hostAddress}:${port}`, '--allow-non-loopback', '--disable-agent', ...(o.serverArgs ?? [])],
      logFile: join(dataDir, 'server.log'),
    },
    hosts,
    agents: hosts.nodes.map((h) => ({
      nodeName: h.nodeName,
      pid: 0,
      dataDir: join(dataDir, 'nodes', h.nodeName),
      cgroupParent: `/${name}-${h.nodeName}`,
      netnsPrefix: `${name}-${h.nodeName.replace('node-', 'p')}-`,
      address: h.address,
      args: [],
      logFile: join(dataDir, `agent-${h.nodeName}.log`),
    })),
    env: envOverrides,
  };
  for (const a of state.agents) a.args = agentArgs(state, a, o.agentArgs ?? [], o.runtime ?? 'crun');
  await writeState(state);

  log(`network: lab ${hosts.labCidr}, host ${hosts.hostAddress} (${hosts.hostLink}), nodes ${hosts.nodes.map((n) => `${n.nodeName}=${n.address}`).join(' ')}`);
  await createHosts(hosts);

  const timeout = o.timeoutMs ?? 120_000;
  await startServerProcess(state, timeout);
  log(`server: pid ${state.server.pid}, ${state.server.url}, log ${state.server.logFile}`);

  if (o.images ?? true) {
    log('images: importing the sample images into every node');
    for (const a of state.agents) await importSampleImages(a.dataDir);
  }
  for (const a of state.agents) {
    await mkdir(a.dataDir, { recursive: true });
    await startAgentProcess(state, a.nodeName);
    log(`agent ${a.nodeName}: pid ${a.pid}, ${a.address}, log ${a.logFile}`);
  }
  await waitFor(
    `${o.nodes} Ready node(s)`,
    timeout,
    async () => {
      for (const a of state.agents) if (!(await processAlive(a.pid))) throw new Error(`agent ${a.nodeName} exited:\n${tail(a.logFile)}`);
      return (await readyNodes(state.server.url)).length >= o.nodes;
    },
    () => state.agents.map((a) => `--- ${a.nodeName}\n${tail(a.logFile, 8)}`).join('\n'),
  );
  log(`cluster ${name} is up: ${o.nodes} node(s) Ready; kubeconfig ${state.server.kubeconfig}`);
  return state;
}

async function stopPid(pid: number, graceMs: number): Promise<void> {
  if (!pid || !(await processAlive(pid))) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (await processAlive(pid))) await new Promise((r) => setTimeout(r, 100));
  if (await processAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** etcdPidsOf finds the etcd processes whose --data-dir is under dir (started by our server). */
async function etcdPidsOf(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const e of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(e)) continue;
    const cmd = (await readFile(`/proc/${e}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!cmd[0]?.endsWith('etcd')) continue;
    const i = cmd.indexOf('--data-dir');
    const d = i >= 0 ? cmd[i + 1] : cmd.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length);
    if (d && resolve(d).startsWith(dir + '/')) out.push(Number(e));
  }
  return out;
}

/** stopAgent ends one node's agent (its containers keep running, as on a real host). */
export async function stopAgent(state: ClusterState, nodeName: string, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  const rec = state.agents.find((a) => a.nodeName === nodeName);
  if (!rec) throw new Error(`no node ${nodeName}`);
  if (signal === 'SIGKILL') {
    if (await processAlive(rec.pid)) process.kill(rec.pid, 'SIGKILL');
    while (await processAlive(rec.pid)) await new Promise((r) => setTimeout(r, 50));
  } else await stopPid(rec.pid, 10_000);
}

/** killServer ends the control plane with SIGKILL (its etcd keeps running, as after a crash). */
export async function killServer(state: ClusterState): Promise<void> {
  if (await processAlive(state.server.pid)) process.kill(state.server.pid, 'SIGKILL');
  while (await processAlive(state.server.pid)) await new Promise((r) => setTimeout(r, 50));
}

/** etcdPid is the PID of the control plane's etcd (0 if none runs). */
export async function etcdPid(state: ClusterState): Promise<number> {
  return (await etcdPidsOf(state.server.dataDir))[0] ?? 0;
}

/** startServerProcess (re)starts the control plane with its recorded flags and waits until it is ready. */
export async function startServerProcess(state: ClusterState, timeoutMs = 120_000): Promise<number> {
  const env = { ...process.env, ...(state.env ?? {}) };
  state.server.pid = startDetached([process.execPath, BIN, ...state.server.args], state.server.logFile, env);
  await writeState(state);
  await waitFor(
    'the API server',
    timeoutMs,
    async () => {
      if (!(await processAlive(state.server.pid))) throw new Error(`skiff server exited:\n${tail(state.server.logFile)}`);
      return (await fetch(`${state.server.url}/readyz`)).ok;
    },
    () => tail(state.server.logFile),
  );
  return state.server.pid;
}

/** setNodeNetwork cuts a simulated host off the lab network or reconnects it. */
export function setNodeNetwork(state: ClusterState, nodeName: string, up: boolean): Promise<void> {
  return setHostLink(state.hosts, nodeName, up);
}

/**
 * leftovers lists what a cluster left behind after `down`: processes, namespaces, links,
 * mounts and cgroups with its names (empty when down cleaned up everything).
 */
export async function leftovers(state: ClusterState): Promise<string[]> {
  const out: string[] = [];
  for (const pid of [state.server.pid, ...state.agents.map((a) => a.pid)]) if (pid && (await processAlive(pid))) out.push(`process ${pid}`);
  for (const pid of await etcdPidsOf(state.server.dataDir)) out.push(`etcd ${pid}`);
  const { execFileSync } = await import('node:child_process');
  for (const n of await listNetns(`${state.name}-`)) out.push(`netns ${n}`);
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  if (links.includes(` ${state.hosts.hostLink}@`) || links.includes(` ${state.hosts.hostLink}:`)) out.push(`link ${state.hosts.hostLink}`);
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  for (const line of mounts.split('\n')) {
    const mp = line.split(' ')[4];
    if (mp && mp.startsWith(state.dataDir + '/')) out.push(`mount ${mp}`);
  }
  for (const a of state.agents) {
    for (const controller of ['memory', 'pids', 'cpu', 'unified', '']) {
      const dir = join('/sys/fs/cgroup', controller, a.cgroupParent);
      if (existsSync(dir)) out.push(`cgroup ${dir}`);
    }
  }
  return out;
}

/** clusterDown stops every process the cluster started and removes everything it made. */
export async function clusterDown(dataDir: string, opts: { keepData?: boolean; log?: (line: string) => void } = {}): Promise<boolean> {
  const log = opts.log ?? (() => undefined);
  const state = readClusterState(dataDir);
  if (!state) return false;
  for (const a of state.agents) await stopPid(a.pid, 10_000);
  log(`agents stopped (${state.agents.map((a) => a.pid).join(', ')})`);
  await stopPid(state.server.pid, 15_000);
  for (const pid of await etcdPidsOf(state.server.dataDir)) await stopPid(pid, 5_000);
  log(`server stopped (${state.server.pid})`);
  for (const a of state.agents) {
    await removeNodeState({ dataDir: a.dataDir, cgroupParent: a.cgroupParent, netnsPrefix: a.netnsPrefix }, { keepFiles: opts.keepData });
  }
  log('containers, mounts, pod namespaces and cgroups removed');
  await deleteHosts(state.hosts);
  log('node namespaces, lab network and host link removed');
  if (!opts.keepData) {
    const { execFileSync } = await import('node:child_process');
    execFileSync('rm', ['-rf', '--one-file-system', join(state.dataDir, 'nodes'), state.server.dataDir, statePath(state.dataDir)]);
    for (const f of [state.server.logFile, ...state.agents.map((a) => a.logFile)]) execFileSync('rm', ['-f', f]);
    await rmdir(state.dataDir).catch(() => undefined);
  }
  return true;
}
