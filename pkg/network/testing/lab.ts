// lab.ts: a network lab for tests and benchmarks — several simulated nodes, each a network
// namespace with its own pod bridge, joined by a lab bridge in a namespace of its own, with
// host-gw routes between their pod CIDRs. Pods are namespaces with stand-in processes
// (busybox httpd and nslookup; curl as the HTTP client, since busybox-static's wget crashes).
// Every name starts with a unique "skt…" prefix; cleanup() removes
// the namespaces (and with them every link, route and iptables rule inside) and kills the
// processes the lab started, also after a failed test.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressAt, formatCidr, parseCidr, subnetAt } from '../cidr.js';
import { execRunner, type Runner } from '../exec.js';
import { deleteNetns, ensureNetns, inNetnsPath, listNetns } from '../netns.js';
import { BridgeNetwork } from '../pod-network.js';
import { syncNodeRoutes } from '../routes.js';
import type { PodNetworkStatus } from '../types.js';

/** LAB_CIDR is the lab bridge's range (the simulated machines' addresses). */
export const LAB_CIDR = '10.44.0.0/24';

/** LabNode is one simulated node. */
export interface LabNode {
  name: string;
  netnsName: string;
  netnsPath: string;
  /** address on the lab bridge (the node's InternalIP). */
  address: string;
  podCidr: string;
  network: BridgeNetwork;
}

/** LabPod is a pod stand-in: a namespace set up by the node's BridgeNetwork. */
export interface LabPod extends PodNetworkStatus {
  key: string;
  node: LabNode;
}

/** Lab is a set of nodes and what the test made in them. */
export interface Lab {
  prefix: string;
  labNetns: string;
  nodes: LabNode[];
  stateDir: string;
  run: Runner;
  /** addPod sets up a pod on a node (key must be unique in the lab). */
  addPod(node: LabNode, key: string): Promise<LabPod>;
  /** httpd starts busybox httpd on port inside pod, answering body at "/" . */
  httpd(pod: LabPod, port: number, body: string): Promise<ChildProcess>;
  /** exec runs argv inside the pod's (or node's) namespace. */
  exec(netnsPath: string, argv: string[]): Promise<string>;
  /** httpGetMany asks url n times from inside a namespace (one process) and returns the bodies. */
  httpGetMany(netnsPath: string, url: string, n: number): Promise<string[]>;
  /** spawn starts a long-running process inside a namespace; cleanup kills it. */
  spawn(netnsPath: string, argv: string[]): ChildProcess;
  cleanup(): Promise<void>;
}

/** randomPrefix returns "skt" + 4 hex digits: short, because link names stop at 15 chars. */
export function randomPrefix(): string {
  return `skt${randomBytes(2).toString('hex')}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** removeLabNamespaces kills the processes inside a lab's namespaces, then deletes them. */
async function removeLabNamespaces(prefix: string, run: Runner): Promise<void> {
  for (const name of await listNetns(prefix)) {
    const { stdout } = await run(['ip', 'netns', 'pids', name]).catch(() => ({ stdout: '' }));
    for (const pid of stdout.split('\n').map(Number).filter((p) => p > 1 && p !== process.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await deleteNetns(name);
  }
}

/**
 * reapStaleLabs removes labs whose creating process died without cleaning up (a killed test
 * worker): their state directory records the owner pid; namespaces with that lab's prefix
 * and the processes inside them are removed.
 */
export async function reapStaleLabs(run: Runner = execRunner): Promise<string[]> {
  const reaped: string[] = [];
  for (const entry of await readdir(tmpdir()).catch(() => [] as string[])) {
    const m = /^skiff-(skt[0-9a-f]{4})-/.exec(entry);
    if (!m) continue;
    const dir = join(tmpdir(), entry);
    const pid = Number(await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => '0'));
    if (!pid || alive(pid)) continue;
    await removeLabNamespaces(m[1], run);
    await rm(dir, { recursive: true, force: true });
    reaped.push(m[1]);
  }
  return reaped;
}

/** createLab builds nodes with pod CIDRs (default 10.42.<i>.0/24) and host-gw routes between them. */
export async function createLab(opts: { nodes?: number; prefix?: string; run?: Runner; podCidrs?: string[]; hostGwRoutes?: boolean } = {}): Promise<Lab> {
  const prefix = opts.prefix ?? randomPrefix();
  const run = opts.run ?? execRunner;
  await reapStaleLabs(run);
  const stateDir = await mkdtemp(join(tmpdir(), `skiff-${prefix}-`));
  await writeFile(join(stateDir, 'owner.pid'), String(process.pid));
  const labNetns = `${prefix}lab`;
  const children = new Set<ChildProcess>();
  const nodes: LabNode[] = [];
  const lab: Lab = {
    prefix,
    labNetns,
    nodes,
    stateDir,
    run,
    async addPod(node, key) {
      const status = await node.network.setUp(key);
      return { ...status, key, node };
    },
    async httpd(pod, port, body) {
      const dir = join(stateDir, 'www', `${pod.key.replace(/\W/g, '_')}-${port}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'index.html'), body);
      const child = lab.spawn(pod.netnsPath, ['busybox', 'httpd', '-f', '-p', String(port), '-h', dir]);
      // Wait until it listens (busybox httpd binds before serving).
      for (let i = 0; i < 100; i++) {
        const out = await lab.exec(pod.netnsPath, ['busybox', 'netstat', '-ltn']).catch(() => '');
        if (out.includes(`:${port} `)) return child;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`httpd on ${pod.ip}:${port} did not start`);
    },
    async exec(netnsPath, argv) {
      return (await run(inNetnsPath(netnsPath, argv))).stdout;
    },
    async httpGetMany(netnsPath, url, n) {
      // One shell loop instead of n processes: spawning is the slow part on a busy machine.
      const script = `for i in $(seq ${n}); do curl -sS --max-time 3 "$0" || echo FAILED; echo; done`;
      const out = await lab.exec(netnsPath, ['sh', '-c', script, url]);
      return out.split('\n').filter(Boolean);
    },
    spawn(netnsPath, argv) {
      const full = inNetnsPath(netnsPath, argv);
      const child = spawn(full[0], full.slice(1), { stdio: 'ignore' });
      children.add(child);
      child.on('exit', () => children.delete(child));
      child.on('error', () => children.delete(child));
      return child;
    },
    async cleanup() {
      for (const c of children) {
        if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
      }
      await removeLabNamespaces(prefix, run);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  try {
    await ensureNetns(labNetns, run);
    const labBridge = `${prefix}lb`;
    const labNs = (...argv: string[]) => run(['ip', '-n', labNetns, ...argv]);
    await labNs('link', 'add', labBridge, 'type', 'bridge');
    await labNs('link', 'set', labBridge, 'up');
    const cluster = parseCidr('10.42.0.0/16');
    const labRange = parseCidr(LAB_CIDR);
    for (let i = 0; i < (opts.nodes ?? 2); i++) {
      const netnsName = `${prefix}n${i}`;
      const netnsPath = await ensureNetns(netnsName, run);
      const uplink = `${prefix}u${i}`;
      await labNs('link', 'add', uplink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netnsPath);
      await labNs('link', 'set', uplink, 'master', labBridge, 'up');
      const address = addressAt(labRange, 10 + i);
      await run(['ip', '-n', netnsName, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      await run(['ip', '-n', netnsName, 'link', 'set', 'eth0', 'up']);
      const podCidr = opts.podCidrs?.[i] ?? formatCidr(subnetAt(cluster, 24, i));
      const network = new BridgeNetwork({
        podCidr,
        stateDir: join(stateDir, `node${i}`),
        bridgeName: `${prefix}b`,
        nodeNetnsPath: netnsPath,
        netnsPrefix: `${prefix}p-`,
        vethPrefix: 'sktv',
        run,
      });
      await network.ensureBridge();
      nodes.push({ name: `node${i}`, netnsName, netnsPath, address, podCidr, network });
    }
    for (const node of opts.hostGwRoutes === false ? [] : nodes) {
      const routes = nodes.filter((n) => n !== node).map((n) => ({ podCidr: n.podCidr, nodeIP: n.address }));
      await syncNodeRoutes(routes, { netnsPath: node.netnsPath, run });
    }
  } catch (err) {
    await lab.cleanup();
    throw err;
  }
  return lab;
}
