// hosts.ts: the network of a local multi-node cluster (DESIGN.md, "Several nodes on one
// machine"). Each simulated host is a network namespace "<name>-<node>" with one link "eth0"
// on a lab bridge that lives in a namespace of its own ("<name>-lab"), so node-to-node traffic
// never crosses the host's own bridges or firewall. The host joins the lab through one veth
// ("<name>-h", the first lab address), which is where the API server listens and where the
// user reaches NodePorts. The host gets `unreachable` routes for the pod and service ranges, so
// nothing for a cluster address can follow the default route off the machine; node namespaces
// have no default route at all.
import { addressAt, parseCidr } from '../network/cidr.js';
import { CommandError, execRunner, type Runner } from '../network/exec.js';
import { deleteNetns, ensureNetns, inNetnsPath, netnsPathOf } from '../network/netns.js';

/** HostsPlan names every link and namespace of a cluster network. */
export interface HostsPlan {
  name: string;
  /** labCidr is the simulated machines' subnet (e.g. 10.44.0.0/24). */
  labCidr: string;
  labNetns: string;
  /** hostLink is the host side of the host↔lab veth; hostAddress its address. */
  hostLink: string;
  hostAddress: string;
  prefixLength: number;
  nodes: HostPlan[];
  /** unreachable are the cluster ranges routed nowhere in the host namespace. */
  unreachable: string[];
}

/** HostPlan is one simulated host. */
export interface HostPlan {
  nodeName: string;
  netns: string;
  netnsPath: string;
  address: string;
  /** labLink is the host's veth end on the lab bridge. */
  labLink: string;
}

/** planHosts lays out names and addresses; nodes get the lab addresses .10, .11, … */
export function planHosts(name: string, nodeNames: string[], labCidr: string, unreachable: string[]): HostsPlan {
  if (!/^[a-z][a-z0-9-]{0,11}$/.test(name)) throw new Error(`cluster name "${name}" must be 1-12 lowercase letters, digits or '-' (it prefixes link names)`);
  const subnet = parseCidr(labCidr);
  if (subnet.prefix > 26) throw new Error(`--lab-cidr ${labCidr} is too small`);
  return {
    name,
    labCidr,
    labNetns: `${name}-lab`,
    hostLink: `${name}-h`,
    hostAddress: addressAt(subnet, 1),
    prefixLength: subnet.prefix,
    unreachable,
    nodes: nodeNames.map((nodeName, i) => ({
      nodeName,
      netns: `${name}-${nodeName}`,
      netnsPath: netnsPathOf(`${name}-${nodeName}`),
      address: addressAt(subnet, 10 + i),
      labLink: `${name}-v${i}`,
    })),
  };
}

const tolerateExists = (err: unknown) => {
  if (!(err instanceof CommandError && /exists/i.test(err.stderr))) throw err;
};

/** createHosts makes the lab namespace and bridge, the host veth and every node namespace (idempotent). */
export async function createHosts(plan: HostsPlan, run: Runner = execRunner): Promise<void> {
  const lab = await ensureNetns(plan.labNetns, run);
  const inLab = (...argv: string[]) => run(inNetnsPath(lab, argv));
  await inLab('ip', 'link', 'add', 'br0', 'type', 'bridge').catch(tolerateExists);
  await inLab('ip', 'link', 'set', 'lo', 'up');
  await inLab('ip', 'link', 'set', 'br0', 'up');
  // Host ↔ lab: the host keeps one end (with the first lab address), the other joins br0.
  const hostExists = await run(['ip', 'link', 'show', plan.hostLink]).then(
    () => true,
    () => false,
  );
  if (!hostExists) {
    await run(['ip', 'link', 'add', plan.hostLink, 'type', 'veth', 'peer', 'name', 'up0', 'netns', lab]);
  }
  await inLab('ip', 'link', 'set', 'up0', 'master', 'br0', 'up');
  await run(['ip', 'addr', 'replace', `${plan.hostAddress}/${plan.prefixLength}`, 'dev', plan.hostLink]);
  await run(['ip', 'link', 'set', plan.hostLink, 'up']);
  for (const c of plan.unreachable) await run(['ip', 'route', 'replace', 'unreachable', c]);
  for (const node of plan.nodes) {
    const ns = await ensureNetns(node.netns, run);
    const inNode = (...argv: string[]) => run(inNetnsPath(ns, argv));
    const has = await inNode('ip', 'link', 'show', 'eth0').then(
      () => true,
      () => false,
    );
    if (!has) await inLab('ip', 'link', 'add', node.labLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await inLab('ip', 'link', 'set', node.labLink, 'master', 'br0', 'up');
    await inNode('ip', 'link', 'set', 'lo', 'up');
    await inNode('ip', 'addr', 'replace', `${node.address}/${plan.prefixLength}`, 'dev', 'eth0');
    await inNode('ip', 'link', 'set', 'eth0', 'up');
  }
}

/** setHostLink takes a simulated host off the lab network (down) or back (up): a node failure. */
export async function setHostLink(plan: HostsPlan, nodeName: string, up: boolean, run: Runner = execRunner): Promise<void> {
  const node = plan.nodes.find((n) => n.nodeName === nodeName);
  if (!node) throw new Error(`no node ${nodeName} in cluster ${plan.name}`);
  await run(inNetnsPath(netnsPathOf(plan.labNetns), ['ip', 'link', 'set', node.labLink, up ? 'up' : 'down']));
}

/**
 * deleteHosts removes the node namespaces, the lab namespace (with its bridge and veths) and
 * the host veth. The unreachable routes stay while another cluster's host link exists.
 */
export async function deleteHosts(plan: HostsPlan, run: Runner = execRunner): Promise<void> {
  for (const node of plan.nodes) await deleteNetns(node.netns).catch(() => undefined);
  await deleteNetns(plan.labNetns).catch(() => undefined);
  await run(['ip', 'link', 'del', plan.hostLink]).catch(() => undefined);
  const { stdout } = await run(['ip', '-o', 'link', 'show']).catch(() => ({ stdout: '' }));
  const others = stdout.split('\n').some((l) => /^\d+: [a-z][a-z0-9-]*-h@/.test(l));
  if (!others) for (const c of plan.unreachable) await run(['ip', 'route', 'del', 'unreachable', c]).catch(() => undefined);
}
