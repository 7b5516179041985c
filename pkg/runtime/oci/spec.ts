// spec.ts: generate an OCI runtime-spec config.json for a sandbox or a container from its
// CRI-shaped config and image config. Pure: every input (resolved user, namespace paths,
// files to bind) is passed in, so the result can be checked without a machine.
import type { OciImageConfig } from '../image/types.js';
import type { Capability, KeyValue, LinuxContainerResources, Mount } from '../types.js';
import {
  allCapabilities,
  defaultCapabilities,
  defaultMaskedPaths,
  defaultNofile,
  defaultPath,
  defaultReadonlyPaths,
} from './defaults.js';
import type { OciCapabilities, OciMount, OciNamespace, OciResources, OciSpec } from './types.js';
import type { ContainerUser } from './user.js';

/** NamespacePaths: a path joins that namespace, undefined creates a new one, 'host' uses the runtime's. */
export interface NamespacePaths {
  network?: string;
  ipc?: string;
  uts?: string;
  pid?: string;
}

/** EtcFiles are host files bind-mounted over the container's /etc files (all optional). */
export interface EtcFiles {
  hosts?: string;
  resolvConf?: string;
  hostname?: string;
}

/** SpecInput is everything generateSpec needs. */
export interface SpecInput {
  /** rootfs path, absolute or relative to the bundle. */
  rootfs: string;
  readonlyRootfs?: boolean;
  image?: OciImageConfig['config'];
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  user: ContainerUser;
  /** hostname is set only when the container gets its own UTS namespace. */
  hostname?: string;
  mounts?: Mount[];
  etcFiles?: EtcFiles;
  /** shmPath: a tmpfs shared by the pod, bind-mounted at /dev/shm (else a private tmpfs). */
  shmPath?: string;
  namespaces: NamespacePaths;
  resources?: LinuxContainerResources | null;
  cgroupsPath?: string;
  capabilities?: Capability | null;
  privileged?: boolean;
  noNewPrivileges?: boolean;
  /** maskedPaths/readonlyPaths: undefined or empty means containerd's defaults. */
  maskedPaths?: string[];
  readonlyPaths?: string[];
  nofile?: number;
  terminal?: boolean;
  annotations?: Record<string, string>;
}

/** mergeCommand combines command/args with the image's Entrypoint/Cmd as Kubernetes does:
 * command replaces Entrypoint (and drops Cmd); args replace Cmd. */
export function mergeCommand(
  image: OciImageConfig['config'] | undefined,
  command: string[] | undefined,
  args: string[] | undefined,
): string[] {
  let entry = command ?? [];
  let rest = args ?? [];
  if (entry.length === 0) {
    entry = image?.Entrypoint ?? [];
    if (rest.length === 0) rest = image?.Cmd ?? [];
  }
  const out = [...entry, ...rest];
  if (out.length === 0) throw new Error('no command specified: neither the container nor the image sets one');
  return out;
}

/** mergeEnv appends container env to image env; a later key replaces an earlier one in place. */
export function mergeEnv(imageEnv: string[] | undefined, envs: KeyValue[] | undefined): string[] {
  const order: string[] = [];
  const values = new Map<string, string>();
  const put = (key: string, entry: string): void => {
    if (!values.has(key)) order.push(key);
    values.set(key, entry);
  };
  for (const e of imageEnv ?? []) {
    const i = e.indexOf('=');
    put(i < 0 ? e : e.slice(0, i), e);
  }
  for (const { key, value } of envs ?? []) put(key, `${key}=${value}`);
  if (!values.has('PATH')) put('PATH', `PATH=${defaultPath}`);
  return order.map((k) => values.get(k)!);
}

function normalizeCap(c: string): string {
  const upper = c.toUpperCase();
  return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** capabilitySet applies CRI add/drop to the default set ("ALL" in drop starts from nothing,
 * in add grants every capability). */
export function capabilitySet(caps: Capability | null | undefined, privileged: boolean): string[] {
  if (privileged) return [...allCapabilities];
  const add = (caps?.addCapabilities ?? []).map(normalizeCap);
  const drop = (caps?.dropCapabilities ?? []).map(normalizeCap);
  let set = drop.includes('ALL') ? [] : [...defaultCapabilities];
  set = set.filter((c) => !drop.includes(c));
  if (add.includes('ALL')) set = allCapabilities.filter((c) => !drop.includes(c) || add.includes(c));
  for (const c of add) if (c !== 'ALL' && !set.includes(c)) set.push(c);
  return set;
}

function ociCapabilities(set: string[]): OciCapabilities {
  return { bounding: [...set], effective: [...set], permitted: [...set] };
}

function propagationOption(p: Mount['propagation']): string {
  switch (p) {
    case 'PROPAGATION_HOST_TO_CONTAINER':
      return 'rslave';
    case 'PROPAGATION_BIDIRECTIONAL':
      return 'rshared';
    default:
      return 'rprivate';
  }
}

function bind(destination: string, source: string, readonly: boolean, propagation = 'rprivate'): OciMount {
  return { destination, type: 'bind', source, options: ['rbind', propagation, readonly ? 'ro' : 'rw'] };
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

/** buildMounts lists the standard mounts, then /etc files, then volumes (parents before children). */
export function buildMounts(input: SpecInput): OciMount[] {
  const privileged = input.privileged ?? false;
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    input.shmPath
      ? bind('/dev/shm', input.shmPath, false)
      : { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', privileged ? 'rw' : 'ro'] },
  ];
  const volumes = [...(input.mounts ?? [])].sort((a, b) => depth(a.containerPath) - depth(b.containerPath));
  const taken = new Set(volumes.map((m) => m.containerPath));
  const etc = input.etcFiles ?? {};
  // A volume the caller mounts at the same path wins over the runtime's own file.
  if (etc.hosts && !taken.has('/etc/hosts')) mounts.push(bind('/etc/hosts', etc.hosts, false));
  if (etc.resolvConf && !taken.has('/etc/resolv.conf')) mounts.push(bind('/etc/resolv.conf', etc.resolvConf, false));
  if (etc.hostname && !taken.has('/etc/hostname')) mounts.push(bind('/etc/hostname', etc.hostname, false));
  for (const m of volumes) mounts.push(bind(m.containerPath, m.hostPath, m.readonly ?? false, propagationOption(m.propagation)));
  return mounts;
}

/** buildNamespaces: mount and cgroup are always new; network/ipc/uts/pid join a path when given. */
export function buildNamespaces(paths: NamespacePaths): OciNamespace[] {
  const out: OciNamespace[] = [];
  const add = (type: OciNamespace['type'], p: string | undefined): void => {
    if (p === 'host') return;
    out.push(p ? { type, path: p } : { type });
  };
  add('pid', paths.pid);
  add('network', paths.network);
  add('ipc', paths.ipc);
  add('uts', paths.uts);
  out.push({ type: 'mount' }, { type: 'cgroup' });
  return out;
}

const defaultDevices: OciResources['devices'] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // null
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // zero
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // full
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // random
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // urandom
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // tty
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // ptmx
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // pts
];

/** buildResources maps CRI LinuxContainerResources to OCI (0 means unset; swap = limit so no swap). */
export function buildResources(r: LinuxContainerResources | null | undefined, privileged: boolean): OciResources {
  const out: OciResources = { devices: privileged ? [{ allow: true, access: 'rwm' }] : defaultDevices.map((d) => ({ ...d })) };
  if (!r) return out;
  if (r.memoryLimitInBytes && r.memoryLimitInBytes > 0) {
    out.memory = { limit: r.memoryLimitInBytes, swap: r.memorySwapLimitInBytes || r.memoryLimitInBytes };
  }
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares && r.cpuShares > 0) cpu.shares = r.cpuShares;
  if (r.cpuQuota && r.cpuQuota > 0) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;
  if (r.pidsLimit && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  return out;
}

/** generateSpec builds the whole config.json. */
export function generateSpec(input: SpecInput): OciSpec {
  const privileged = input.privileged ?? false;
  const nofile = input.nofile ?? defaultNofile;
  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: input.terminal ?? false,
      user: { uid: input.user.uid, gid: input.user.gid, additionalGids: [...input.user.additionalGids] },
      args: mergeCommand(input.image, input.command, input.args),
      env: mergeEnv(input.image?.Env, input.envs),
      cwd: input.workingDir || input.image?.WorkingDir || '/',
      capabilities: ociCapabilities(capabilitySet(input.capabilities, privileged)),
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile }],
      noNewPrivileges: privileged ? false : (input.noNewPrivileges ?? false),
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs ?? false },
    mounts: buildMounts(input),
    linux: {
      namespaces: buildNamespaces(input.namespaces),
      resources: buildResources(input.resources, privileged),
      maskedPaths: privileged ? [] : input.maskedPaths?.length ? [...input.maskedPaths] : [...defaultMaskedPaths],
      readonlyPaths: privileged ? [] : input.readonlyPaths?.length ? [...input.readonlyPaths] : [...defaultReadonlyPaths],
      rootfsPropagation: 'rprivate',
    },
  };
  if (input.resources?.oomScoreAdj) spec.process.oomScoreAdj = input.resources.oomScoreAdj;
  if (input.cgroupsPath) spec.linux.cgroupsPath = input.cgroupsPath;
  // Setting a hostname needs a private UTS namespace; containers that join the pod's keep its name.
  if (input.hostname && !input.namespaces.uts) spec.hostname = input.hostname;
  if (input.annotations && Object.keys(input.annotations).length > 0) spec.annotations = { ...input.annotations };
  return spec;
}
