// runtime.ts: ContainerRuntime, the CRI-shaped runtime service: pod sandboxes (a pause
// container holding the pod's namespaces) and containers (overlay rootfs from the image
// store, OCI bundle, conmon + crun/runc). State lives in records under the state dir; live
// status is read back from conmon's exit files, the cgroup and `crun state`, so a new
// instance over the same state dir adopts everything a previous one started.
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ImageRecord, ImageStore } from './image/types.js';
import { OciRuntimeCli, OciRuntimeError, type OciRuntimeName } from './oci/cli.js';
import { generateSpec, type NamespacePaths } from './oci/spec.js';
import { resolveUser } from './oci/user.js';
import { defaultNofile } from './oci/defaults.js';
import { attachToConmon, type AttachOptions } from './attach.js';
import { launchConmon, processAlive, reopenLog, startConmon, type ConmonLaunch, type ConmonOptions } from './conmon.js';
import { StartGate } from './gate.js';
import { detectCgroupMode, hybridHasV2Controllers, oomKillCount, type CgroupMode } from './sys/cgroups.js';
import { mountOverlay, removeTree } from './sys/mount.js';
import { mount, MountFlags } from './sys/libc.js';
import { pinNamespaces, stillPinned } from '../util/namespaces.js';
import { StateStore, type ContainerRecord, type SandboxRecord } from './state.js';
import { hostsFile, resolvConf } from './etc.js';
import { ensurePauseRootfs, pauseCommand } from './pause.js';
import { containerState, decideExit } from './exit.js';
import { execSync, startExec, type ExecOptions, type ExecSession } from './exec.js';
import { readContainerLog, type ReadLogOptions } from './logs.js';
import { KeyedMutex } from './mutex.js';
import type { RuntimeService } from './service.js';
import { failedPrecondition, invalidArgument, notFound, RuntimeError } from './errors.js';
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStatus,
  ExecSyncResult,
  LinuxContainerResources,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  VersionInfo,
} from './types.js';

/** RuntimeOptions configures a ContainerRuntime. */
export interface RuntimeOptions {
  stateDir: string;
  imageStore: ImageStore;
  runtime?: OciRuntimeName;
  runtimeBinary?: string;
  conmonPath?: string;
  busyboxPath?: string;
  logger?: Logger;
  /** clock returns epoch milliseconds. */
  clock?: () => number;
  /** newId returns a fresh sandbox/container id. */
  newId?: () => string;
  /** defaultCgroupParent is used when a sandbox config has no cgroup_parent. */
  defaultCgroupParent?: string;
  /** logSizeMax: conmon truncates a container log beyond this many bytes (0 = unlimited). */
  logSizeMax?: number;
  /** killWaitMs: how long to wait for an exit after SIGKILL before giving up. */
  killWaitMs?: number;
  /** nofile: RLIMIT_NOFILE of container processes; default 1048576 or the runtime's own hard limit if lower. */
  nofile?: number;
  /** defaultPidsLimit caps the processes of a container whose config sets no pidsLimit (as CRI-O's
   * pids_limit; CRI has no pids field and kubelet's podPidsLimit acts on the pod cgroup, which
   * Skiff does not have). 0 or unset: no limit. */
  defaultPidsLimit?: number;
}

/** RuntimeVersion is the version this runtime reports. */
export const RuntimeVersion = '0.1.0';

const pollMs = 50;

/** hardNofileLimit reads this process's RLIMIT_NOFILE hard limit (a container cannot exceed it
 * unless the runtime has CAP_SYS_RESOURCE, which sandboxed hosts may not grant). */
async function hardNofileLimit(): Promise<number | undefined> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const m = /^Max open files\s+\S+\s+(\d+)/m.exec(limits);
  return m ? Number(m[1]) : undefined;
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function matchesLabels(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

function readIfRegular(file: string): string {
  // The rootfs belongs to an image: never follow its symlinks out to the host's files.
  try {
    if (!lstatSync(file).isFile()) return '';
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** PendingStart is a created container's conmon, launched at CreateContainer, and its gate. */
interface PendingStart {
  gate: StartGate;
  launch: Promise<ConmonLaunch>;
}

/** ContainerRuntime implements the CRI runtime service over crun/runc and conmon. */
export class ContainerRuntime implements RuntimeService {
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  /** unsaved: records changed in memory whose file saveSoon has yet to write. */
  private readonly unsaved = new Set<ContainerRecord>();
  /** pending: created containers whose conmon waits at the start gate (see createContainer). */
  private readonly pending = new Map<string, PendingStart>();
  private readonly locks = new KeyedMutex();
  private readonly store: StateStore;
  private readonly clock: () => number;
  private readonly newId: () => string;
  private readonly log?: Logger;
  private readonly cgroupMode: CgroupMode;
  private pauseRootfs = '';
  private nofile = defaultNofile;

  private constructor(
    private readonly opts: RuntimeOptions,
    readonly cli: OciRuntimeCli,
  ) {
    this.store = new StateStore(opts.stateDir);
    this.clock = opts.clock ?? Date.now;
    this.newId = opts.newId ?? (() => randomBytes(16).toString('hex'));
    this.log = opts.logger;
    this.cgroupMode = detectCgroupMode();
  }

  /** open prepares the state dir and adopts every sandbox and container recorded in it. */
  static async open(opts: RuntimeOptions): Promise<ContainerRuntime> {
    const name = opts.runtime ?? 'crun';
    const stateDir = path.resolve(opts.stateDir);
    const cli = new OciRuntimeCli({
      name,
      binary: opts.runtimeBinary,
      root: path.join(stateDir, 'oci-root'),
      wrapperPath: path.join(stateDir, 'bin', name),
      hideUnifiedCgroup: name === 'crun' && detectCgroupMode() === 'hybrid' && hybridHasV2Controllers(),
    });
    const rt = new ContainerRuntime({ ...opts, stateDir }, cli);
    await rt.init();
    return rt;
  }

  private get stateDir(): string {
    return this.opts.stateDir;
  }

  private get exitDir(): string {
    return path.join(this.stateDir, 'exits');
  }

  private async init(): Promise<void> {
    for (const d of ['exits', 'sock', 'exec', 'sandboxes', 'containers']) await mkdir(path.join(this.stateDir, d), { recursive: true });
    await this.cli.install();
    this.nofile = this.opts.nofile ?? Math.min(defaultNofile, (await hardNofileLimit()) ?? defaultNofile);
    this.pauseRootfs = await ensurePauseRootfs(path.join(this.stateDir, 'pause'), this.opts.busyboxPath);
    for (const s of await this.store.loadSandboxes()) this.sandboxes.set(s.id, s);
    for (const c of await this.store.loadContainers()) this.containers.set(c.id, c);
    await this.removeUnrecorded();
    for (const c of this.containers.values()) {
      if (c.conmonPid === 0 && !c.finished) await this.adoptStarted(c);
      await this.refresh(c);
    }
    this.log?.info({ sandboxes: this.sandboxes.size, containers: this.containers.size, runtime: this.cli.name }, 'runtime state loaded');
  }

  /** version reports the runtime's name and versions. */
  async version(): Promise<VersionInfo> {
    return { version: '0.1.0', runtimeName: 'skiff', runtimeVersion: `${RuntimeVersion} (${this.cli.name})`, runtimeApiVersion: 'v1' };
  }

  // ---------------------------------------------------------------- sandboxes

  /** runPodSandbox creates and starts the pod's pause container; returns the sandbox id. */
  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    if (!config?.metadata?.name || !config.metadata.namespace) throw invalidArgument('sandbox config needs metadata.name and metadata.namespace');
    const id = this.newId();
    return this.locks.run(id, async () => {
      const dir = this.store.sandboxDir(id);
      await mkdir(dir, { recursive: true });
      const nsOpts = config.linux?.securityContext?.namespaceOptions ?? {};
      const hostNetwork = nsOpts.network === 'NODE';
      const hostIpc = nsOpts.ipc === 'NODE';
      const hostname = config.hostname || config.metadata.name;
      const record: SandboxRecord = {
        id,
        config,
        runtimeHandler,
        createdAt: this.clock() * 1e6,
        stopped: false,
        pid: 0,
        conmonPid: 0,
        cgroupsPath: `${(config.linux?.cgroupParent || this.opts.defaultCgroupParent || '/skiff').replace(/\/+$/, '')}/${id}`,
        netns: hostNetwork ? 'host' : config.linux?.netnsPath || '',
        sharedPid: nsOpts.pid === 'POD',
        hostIpc,
        hostNetwork,
        etc: { hosts: path.join(dir, 'hosts'), resolvConf: path.join(dir, 'resolv.conf'), hostname: path.join(dir, 'hostname') },
      };
      // Record first: a crash half-way leaves something RemovePodSandbox can clean up.
      await this.store.saveSandbox(record);
      this.sandboxes.set(id, record);
      try {
        await writeFile(record.etc.hostname, `${hostname}\n`);
        await writeFile(record.etc.hosts, hostsFile(hostname));
        await writeFile(record.etc.resolvConf, resolvConf(config.dnsConfig, await readFile('/etc/resolv.conf', 'utf8').catch(() => '')));
        if (hostIpc) {
          record.shmPath = '/dev/shm';
        } else {
          record.shmPath = path.join(dir, 'shm');
          await mkdir(record.shmPath, { recursive: true });
          mount('shm', record.shmPath, 'tmpfs', MountFlags.MS_NOSUID | MountFlags.MS_NODEV | MountFlags.MS_NOEXEC, 'mode=1777,size=65536k');
        }
        if (!record.sharedPid) {
          // No pause process: the namespaces are made and pinned on files right here.
          const nsDir = path.join(dir, 'ns');
          await mkdir(nsDir, { recursive: true });
          const pinned: SandboxRecord['pinned'] = {};
          if (!hostNetwork) pinned.uts = path.join(nsDir, 'uts');
          if (!hostIpc) pinned.ipc = path.join(nsDir, 'ipc');
          if (!record.netns) pinned.net = path.join(nsDir, 'net');
          record.pinned = pinned;
          pinNamespaces({ uts: pinned.uts ? { file: pinned.uts, hostname } : undefined, ipc: pinned.ipc, net: pinned.net });
          if (pinned.net) record.netns = pinned.net;
          await this.store.saveSandbox(record);
          this.log?.info({ sandboxId: id, pod: `${config.metadata.namespace}/${config.metadata.name}` }, 'sandbox started (pinned namespaces)');
          return id;
        }
        const namespaces: NamespacePaths = {
          network: record.netns || undefined,
          ipc: hostIpc ? 'host' : undefined,
          uts: hostNetwork ? 'host' : undefined,
          pid: nsOpts.pid === 'NODE' ? 'host' : undefined,
        };
        const spec = generateSpec({
          rootfs: this.pauseRootfs,
          readonlyRootfs: true,
          command: pauseCommand,
          user: { uid: 0, gid: 0, additionalGids: [] },
          hostname: hostNetwork ? undefined : hostname,
          namespaces,
          cgroupsPath: record.cgroupsPath,
          noNewPrivileges: true,
          capabilities: { dropCapabilities: ['ALL'] },
          nofile: this.nofile,
          annotations: { 'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-id': id },
        });
        const bundle = path.join(dir, 'bundle');
        await mkdir(bundle, { recursive: true });
        await writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
        const { pid, conmonPid } = await this.runUnderConmon(id, dir, { logPath: path.join(dir, 'pause.log') });
        record.pid = pid;
        record.conmonPid = conmonPid;
        if (!record.netns) record.netns = `/proc/${pid}/ns/net`;
        await this.store.saveSandbox(record);
        this.log?.info({ sandboxId: id, pod: `${config.metadata.namespace}/${config.metadata.name}`, pid }, 'sandbox started');
        return id;
      } catch (e) {
        this.log?.warn({ sandboxId: id, err: String(e) }, 'sandbox start failed, cleaning up');
        await this.destroySandbox(record).catch(() => undefined);
        throw e;
      }
    });
  }

  private sandbox(id: string): SandboxRecord {
    const s = this.sandboxes.get(id);
    if (!s) throw notFound('pod sandbox', id);
    return s;
  }

  private async sandboxReady(s: SandboxRecord): Promise<boolean> {
    if (s.stopped) return false;
    if (s.pinned) return stillPinned(Object.values(s.pinned));
    if (s.pid === 0) return false;
    // Live pause process and live conmon, then no exit file: running. conmon reaps the pause
    // process and writes the exit file before it exits, so this order cannot miss an exit, and
    // it spares CreateContainer and every status/list call a `crun state` (several processes
    // through the wrapper). Only with conmon gone (killed) does the runtime's view decide.
    const [pauseAlive, conmonAlive] = await Promise.all([processAlive(s.pid), processAlive(s.conmonPid)]);
    if (await this.exitFileExists(s.id)) return false;
    if (pauseAlive && conmonAlive) return true;
    const state = await this.cli.state(s.id).catch(() => undefined);
    return state?.status === 'running';
  }

  /** stopPodSandbox kills every container of the pod and the pause container (idempotent). */
  async stopPodSandbox(id: string): Promise<void> {
    const s = this.sandboxes.get(id);
    if (!s) return;
    for (const c of [...this.containers.values()].filter((c) => c.sandboxId === id)) await this.stopContainer(c.id, 0);
    await this.locks.run(id, async () => {
      if (!s.pinned) await this.killAndWait(id, s.conmonPid, 'KILL', this.opts.killWaitMs ?? 10_000);
      s.stopped = true;
      await this.store.saveSandbox(s);
      this.log?.info({ sandboxId: id }, 'sandbox stopped');
    });
  }

  /** removePodSandbox removes the pod's containers, the pause container and its files (idempotent). */
  async removePodSandbox(id: string): Promise<void> {
    const s = this.sandboxes.get(id);
    if (!s) return;
    for (const c of [...this.containers.values()].filter((c) => c.sandboxId === id)) await this.removeContainer(c.id);
    await this.locks.run(id, async () => {
      await this.destroySandbox(s);
      this.log?.info({ sandboxId: id }, 'sandbox removed');
    });
  }

  private async destroySandbox(s: SandboxRecord): Promise<void> {
    if (!s.pinned) {
      await this.killAndWait(s.id, s.conmonPid, 'KILL', this.opts.killWaitMs ?? 10_000).catch(() => undefined);
      await this.cli.delete(s.id);
    }
    // removeTree unmounts first: the shm tmpfs and pinned namespaces go with the directory.
    await removeTree(this.store.sandboxDir(s.id));
    await rm(path.join(this.exitDir, s.id), { force: true });
    this.sandboxes.delete(s.id);
  }

  /** podSandboxStatus reports the sandbox's state (the pod IP is the network plugin's business). */
  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandbox(id);
    const nsOpts = s.config.linux?.securityContext?.namespaceOptions ?? {};
    return {
      id,
      metadata: s.config.metadata,
      state: (await this.sandboxReady(s)) ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
      createdAt: s.createdAt,
      network: { ip: '', additionalIps: [] },
      linux: { namespaces: { options: { network: nsOpts.network ?? 'POD', pid: nsOpts.pid ?? 'CONTAINER', ipc: nsOpts.ipc ?? 'POD', targetId: '' } } },
      labels: s.config.labels ?? {},
      annotations: s.config.annotations ?? {},
      runtimeHandler: s.runtimeHandler,
    };
  }

  /** listPodSandbox lists sandboxes matching the filter (id matches by prefix). */
  async listPodSandbox(filter?: PodSandboxFilter | null): Promise<PodSandbox[]> {
    const out: PodSandbox[] = [];
    for (const s of this.sandboxes.values()) {
      if (filter?.id && !s.id.startsWith(filter.id)) continue;
      if (!matchesLabels(s.config.labels, filter?.labelSelector)) continue;
      const state = (await this.sandboxReady(s)) ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY';
      if (filter?.state && filter.state.state !== state) continue;
      out.push({ id: s.id, metadata: s.config.metadata, state, createdAt: s.createdAt, labels: s.config.labels ?? {}, annotations: s.config.annotations ?? {}, runtimeHandler: s.runtimeHandler });
    }
    return out;
  }

  /** sandboxNamespace returns the path of the pod's namespace of a kind: its pinned file, or the
   * pause process's /proc/<pid>/ns/<kind> ('host' for the node's). */
  sandboxNamespace(id: string, kind: 'net' | 'ipc' | 'uts' | 'pid'): string {
    const s = this.sandbox(id);
    if (kind === 'net') return s.netns;
    if ((kind === 'ipc' && s.hostIpc) || (kind === 'uts' && s.hostNetwork)) return 'host';
    return (kind !== 'pid' && s.pinned?.[kind]) || `/proc/${s.pid}/ns/${kind}`;
  }

  // ---------------------------------------------------------------- containers

  /** createContainer prepares the container's overlay rootfs and OCI bundle, and launches its
   * conmon, as CRI-O does: conmon (and the wrapper that will run the OCI runtime) start up while
   * the rest of CreateContainer and the caller's StartContainer travel; the wrapper waits at the
   * container's start gate (gate.ts). The OCI runtime itself sees the container only at
   * StartContainer, which opens the gate: `run --detach` then creates and starts it in one
   * process where create + start would take two. */
  async createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig?: PodSandboxConfig | null): Promise<string> {
    if (!config?.metadata?.name) throw invalidArgument('container config needs metadata.name');
    if (!config.image?.image) throw invalidArgument('container config needs image.image');
    const s = this.sandbox(sandboxId);
    const [ready, image] = await Promise.all([this.sandboxReady(s), this.opts.imageStore.get(config.image.image)]);
    if (!ready) throw failedPrecondition(`pod sandbox ${sandboxId} is not ready`);
    if (!image) throw notFound('image', config.image.image);
    const id = this.newId();
    return this.locks.run(id, async () => {
      const dir = this.store.containerDir(id);
      const bundle = path.join(dir, 'bundle');
      const rootfs = path.join(bundle, 'rootfs');
      const logDirectory = sandboxConfig?.logDirectory || s.config.logDirectory || '';
      const logPath = config.logPath ? path.resolve(logDirectory || dir, config.logPath) : path.join(dir, 'container.log');
      const record: ContainerRecord = {
        id,
        sandboxId,
        config,
        imageRef: image.id,
        createdAt: this.clock() * 1e6,
        startedAt: 0,
        finishedAt: 0,
        finished: false,
        exitCode: 0,
        reason: '',
        message: '',
        pid: 0,
        conmonPid: 0,
        logPath,
        cgroupsPath: `${path.posix.dirname(s.cgroupsPath)}/${id}`,
        oomKillsAtStart: 0,
        stopSignal: (image.config.config?.StopSignal || 'SIGTERM').replace(/^SIG/, ''),
      };
      // conmon first: it takes ~15 ms to get to the start gate, and everything until the caller's
      // StartContainer arrives runs beside it. Then the record, before the mount: a crash after
      // it must leave a record, so that RemoveContainer (or a new runtime) unmounts it; a crash
      // before it leaves a directory without a record, which the next runtime removes (init), and
      // a conmon that gives up at its gate. (Small files and directories are made synchronously
      // on this path: see StateStore.write.)
      try {
        for (const d of [bundle, path.dirname(logPath)]) mkdirSync(d, { recursive: true });
        this.prestart(record);
        await this.store.saveContainer(record);
        for (const d of [rootfs, path.join(dir, 'upper'), path.join(dir, 'work')]) mkdirSync(d);
      } catch (e) {
        await this.cancelPending(id);
        await removeTree(dir).catch(() => undefined); // nothing is mounted yet
        throw e;
      }
      this.containers.set(id, record);
      try {
        mountOverlay({ lowerDirs: image.layerDirs, upperDir: path.join(dir, 'upper'), workDir: path.join(dir, 'work'), target: rootfs });
        const spec = await this.containerSpec(s, config, image, rootfs, record.cgroupsPath);
        writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
        await this.opts.imageStore.markUsed(image.id).catch(() => undefined);
        this.log?.info({ containerId: id, sandboxId, name: config.metadata.name, image: image.id }, 'container created');
        return id;
      } catch (e) {
        this.log?.warn({ containerId: id, err: String(e) }, 'container create failed, cleaning up');
        await this.destroyContainer(record).catch(() => undefined);
        throw e;
      }
    });
  }

  private async containerSpec(s: SandboxRecord, config: ContainerConfig, image: ImageRecord, rootfs: string, cgroupsPath: string) {
    const sc = config.linux?.securityContext ?? {};
    const [passwd, group] = [readIfRegular(path.join(rootfs, 'etc', 'passwd')), readIfRegular(path.join(rootfs, 'etc', 'group'))];
    let user;
    try {
      user = resolveUser({
        imageUser: image.config.config?.User,
        runAsUser: sc.runAsUser ? Number(sc.runAsUser.value) : undefined,
        runAsGroup: sc.runAsGroup ? Number(sc.runAsGroup.value) : undefined,
        runAsUsername: sc.runAsUsername || undefined,
        supplementalGroups: (sc.supplementalGroups ?? []).map(Number),
        passwd,
        group,
      });
    } catch (e) {
      throw invalidArgument((e as Error).message);
    }
    const pidMode = sc.namespaceOptions?.pid ?? (s.sharedPid ? 'POD' : 'CONTAINER');
    const namespaces: NamespacePaths = {
      network: s.netns,
      ipc: s.hostIpc ? 'host' : (s.pinned?.ipc ?? `/proc/${s.pid}/ns/ipc`),
      uts: s.hostNetwork ? 'host' : (s.pinned?.uts ?? `/proc/${s.pid}/ns/uts`),
      pid: pidMode === 'NODE' ? 'host' : pidMode === 'POD' ? `/proc/${s.pid}/ns/pid` : undefined,
    };
    try {
      return generateSpec({
        rootfs,
        readonlyRootfs: sc.readonlyRootfs,
        image: image.config.config,
        command: config.command,
        args: config.args,
        workingDir: config.workingDir,
        envs: config.envs,
        user,
        mounts: config.mounts,
        etcFiles: s.etc,
        shmPath: s.shmPath,
        namespaces,
        resources: this.withDefaultPidsLimit(config.linux?.resources),
        cgroupsPath,
        capabilities: sc.capabilities,
        privileged: sc.privileged,
        noNewPrivileges: sc.noNewPrivs,
        maskedPaths: sc.maskedPaths,
        readonlyPaths: sc.readonlyPaths,
        nofile: this.nofile,
        terminal: config.tty ?? false,
        annotations: {
          'io.kubernetes.cri.container-type': 'container',
          'io.kubernetes.cri.container-name': config.metadata.name,
          'io.kubernetes.cri.sandbox-id': s.id,
        },
      });
    } catch (e) {
      throw invalidArgument((e as Error).message);
    }
  }

  private withDefaultPidsLimit(r: LinuxContainerResources | null | undefined): LinuxContainerResources | null | undefined {
    const limit = this.opts.defaultPidsLimit ?? 0;
    if (limit <= 0 || (r?.pidsLimit ?? 0) > 0) return r;
    return { ...(r ?? {}), pidsLimit: limit };
  }

  private container(id: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) throw notFound('container', id);
    return c;
  }

  /** startContainer starts a created container. */
  async startContainer(id: string): Promise<void> {
    const c = this.container(id);
    await this.locks.run(id, async () => {
      if (c.startedAt > 0 || c.finished) throw failedPrecondition(`container ${id} is not in created state`);
      // The container's cgroup is new: its oom_kill counter starts at 0.
      c.oomKillsAtStart = 0;
      // Taken before start: a fast container's exit file can be older than start's return.
      const startedAt = this.clock() * 1e6;
      try {
        const { pid, conmonPid } = await this.startPending(c);
        c.pid = pid;
        c.conmonPid = conmonPid;
      } catch (e) {
        Object.assign(c, { finished: true, exitCode: 128, reason: 'StartError', message: (e as Error).message, finishedAt: this.clock() * 1e6 });
        await this.store.saveContainer(c);
        throw new RuntimeError('Internal', `starting container ${id}: ${(e as Error).message}`);
      }
      c.startedAt = startedAt;
      this.log?.info({ containerId: id }, 'container started');
      this.saveSoon(c);
    });
  }

  /** stopContainer sends the stop signal, waits timeoutSeconds, then SIGKILLs (idempotent). */
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.container(id);
    await this.locks.run(id, async () => {
      await this.refresh(c);
      if (c.finished) return;
      if (timeoutSeconds > 0 && c.startedAt > 0) {
        await this.cli.kill(id, c.stopSignal).catch(() => undefined);
        if (await this.waitExit(id, timeoutSeconds * 1000)) {
          await this.refresh(c);
          return;
        }
      }
      await this.killAndWait(id, c.conmonPid, 'KILL', this.opts.killWaitMs ?? 10_000);
      await this.refresh(c);
      this.log?.info({ containerId: id, exitCode: c.exitCode }, 'container stopped');
    });
  }

  /** removeContainer kills (if needed) and removes a container; its log file is kept (idempotent). */
  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    await this.locks.run(id, async () => {
      await this.destroyContainer(c);
      this.log?.info({ containerId: id }, 'container removed');
    });
  }

  private async destroyContainer(c: ContainerRecord): Promise<void> {
    if (await this.cancelPending(c.id)) {
      // Never started: the OCI runtime never saw it.
      await removeTree(this.store.containerDir(c.id));
      this.containers.delete(c.id);
      return;
    }
    if (!c.finished && c.conmonPid === 0) await this.clearStaleLaunch(c);
    if (!c.finished) await this.killAndWait(c.id, c.conmonPid, 'KILL', this.opts.killWaitMs ?? 10_000).catch(() => undefined);
    await this.cli.delete(c.id);
    await removeTree(this.store.containerDir(c.id));
    await rm(path.join(this.exitDir, c.id), { force: true });
    this.containers.delete(c.id);
  }

  /** containerStatus reports a container's state, exit and log path. */
  async containerStatus(id: string): Promise<ContainerStatus> {
    const c = this.container(id);
    await this.refresh(c);
    return {
      id,
      metadata: c.config.metadata,
      state: containerState(c),
      createdAt: c.createdAt,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      exitCode: c.exitCode,
      image: c.config.image,
      imageRef: c.imageRef,
      reason: c.reason,
      message: c.message,
      labels: c.config.labels ?? {},
      annotations: c.config.annotations ?? {},
      mounts: c.config.mounts ?? [],
      logPath: c.logPath,
    };
  }

  /** containerPid returns the container's init pid on the host (0 once exited). */
  async containerPid(id: string): Promise<number> {
    const c = this.container(id);
    await this.refresh(c);
    return c.finished ? 0 : c.pid;
  }

  /** containerCgroupsPath returns the cgroupsPath the container runs in. */
  containerCgroupsPath(id: string): string {
    return this.container(id).cgroupsPath;
  }

  /** listContainers lists containers matching the filter (id matches by prefix). */
  async listContainers(filter?: ContainerFilter | null): Promise<Container[]> {
    const out: Container[] = [];
    for (const c of this.containers.values()) {
      if (filter?.id && !c.id.startsWith(filter.id)) continue;
      if (filter?.podSandboxId && c.sandboxId !== filter.podSandboxId) continue;
      if (!matchesLabels(c.config.labels, filter?.labelSelector)) continue;
      await this.refresh(c);
      const state = containerState(c);
      if (filter?.state && filter.state.state !== state) continue;
      out.push({
        id: c.id,
        podSandboxId: c.sandboxId,
        metadata: c.config.metadata,
        image: c.config.image,
        imageRef: c.imageRef,
        state,
        createdAt: c.createdAt,
        labels: c.config.labels ?? {},
        annotations: c.config.annotations ?? {},
      });
    }
    return out;
  }

  /** reopenContainerLog makes conmon reopen the log file (after the agent rotated it). */
  async reopenContainerLog(id: string): Promise<void> {
    const c = this.container(id);
    await this.refresh(c);
    if (containerState(c) !== 'CONTAINER_RUNNING') throw failedPrecondition(`container ${id} is not running`);
    reopenLog(path.join(this.store.containerDir(id), 'bundle'));
  }

  /** execSync runs cmd in the container and returns its output (timeoutSeconds 0 = no timeout). */
  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    await this.requireRunning(id);
    return execSync(this.cli, id, cmd, timeoutSeconds * 1000, path.join(this.stateDir, 'exec'));
  }

  /** exec starts a streaming exec session (non-TTY). */
  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    await this.requireRunning(id);
    return startExec(this.cli, id, opts, path.join(this.stateDir, 'exec'));
  }

  /** attach connects to a running container's own stdin, stdout and stderr through conmon; the
   * session's exit code is the container's, or -1 when the client detached first. */
  async attach(id: string, opts: AttachOptions): Promise<ExecSession> {
    await this.requireRunning(id);
    const c = this.container(id);
    return attachToConmon(path.join(this.store.containerDir(id), 'bundle'), opts, async () => {
      await this.waitExit(id, 5000); // conmon closed the socket on its way out; its exit file follows
      return (await this.refreshed(c)).exitCode;
    });
  }

  /** logs reads the container's current log file; with follow it ends when the container exits. */
  logs(id: string, opts: ReadLogOptions = {}): AsyncGenerator<string> {
    const c = this.container(id);
    return readContainerLog(c.logPath, {
      ...opts,
      stillRunning: async () => this.containers.has(id) && containerState(await this.refreshed(c)) !== 'CONTAINER_EXITED',
    });
  }

  /** close releases nothing but in-memory state: containers keep running under conmon. */
  async close(): Promise<void> {
    // Created containers' conmons give up at their gates; a new runtime starts them afresh.
    for (const p of this.pending.values()) p.gate.close();
    this.pending.clear();
    for (const c of this.unsaved) if (this.containers.get(c.id) === c) await this.store.saveContainer(c);
    this.unsaved.clear();
    this.sandboxes.clear();
    this.containers.clear();
  }

  // ---------------------------------------------------------------- helpers

  private async requireRunning(id: string): Promise<void> {
    const c = this.container(id);
    await this.refresh(c);
    if (containerState(c) !== 'CONTAINER_RUNNING') throw failedPrecondition(`container ${id} is not running`);
  }

  private async refreshed(c: ContainerRecord): Promise<ContainerRecord> {
    await this.refresh(c);
    return c;
  }

  /** refresh folds a finished container's exit into its record (once; then it is final). */
  private async refresh(c: ContainerRecord): Promise<void> {
    if (c.finished) return;
    if (c.conmonPid === 0) return; // created, never started

    // Ask whether conmon lives BEFORE reading the exit file: conmon writes the file and then
    // exits, so a dead conmon with no file really means the exit code is lost.
    // This runs for every container on every relist: the few small reads are synchronous (see
    // StateStore.write), and a running container costs a /proc read and one failed open.
    const conmonAlive = await processAlive(c.conmonPid);
    const exitFile = path.join(this.exitDir, c.id);
    let exitCode: number | undefined;
    let exitTimeMs: number | undefined;
    try {
      const text = readFileSync(exitFile, 'utf8').trim();
      if (text !== '') {
        exitCode = Number(text);
        exitTimeMs = statSync(exitFile).mtimeMs;
      }
    } catch {
      // not exited (yet)
    }
    if (exitCode === undefined && conmonAlive) return; // running
    let ociStatus: string | undefined;
    if (exitCode === undefined) ociStatus = (await this.cli.state(c.id).catch(() => undefined))?.status;
    const outcome = decideExit(c, {
      exitCode,
      exitTimeMs,
      oomFile: existsSync(path.join(this.store.containerDir(c.id), 'persist', 'oom')),
      oomKills: exitCode === undefined ? undefined : oomKillCount(this.cgroupMode, c.cgroupsPath),
      conmonAlive,
      ociStatus,
      nowMs: this.clock(),
    });
    if (!outcome) return;
    Object.assign(c, outcome, { finished: true });
    await this.store.saveContainer(c);
    this.log?.info({ containerId: c.id, exitCode: c.exitCode, reason: c.reason }, 'container exited');
  }

  /** saveSoon writes c's record once the current call has answered (a started container's, ~0.5
   * ms off StartContainer's latency): on a timer, which fires after the answer's write, under the
   * container's lock. A crash before it loses nothing: the next runtime adopts the container from
   * conmon's pid files (adoptStarted); close() writes what is left. */
  private saveSoon(c: ContainerRecord): void {
    this.unsaved.add(c);
    setTimeout(() => {
      if (!this.unsaved.delete(c)) return;
      this.locks
        .run(c.id, async () => {
          if (this.containers.get(c.id) === c) await this.store.saveContainer(c);
        })
        .catch((e) => this.log?.warn({ containerId: c.id, err: String(e) }, 'could not save the container record'));
    }, 1);
  }

  /** removeUnrecorded removes container directories without a record: a CreateContainer cut
   * short before it saved one (nothing was mounted yet; removeTree unmounts first all the same). */
  private async removeUnrecorded(): Promise<void> {
    const base = path.join(this.stateDir, 'containers');
    for (const id of await readdir(base).catch(() => [] as string[])) {
      if (this.containers.has(id)) continue;
      this.log?.info({ containerId: id }, 'removing the directory of a container created only in part');
      await removeTree(path.join(base, id)).catch((e) => this.log?.warn({ containerId: id, err: String(e) }, 'could not remove'));
    }
  }

  /** runUnderConmon creates and starts the bundle in <dir>/bundle under a conmon of its own. */
  private async runUnderConmon(id: string, dir: string, o: Partial<ConmonOptions> & { logPath: string }): Promise<{ pid: number; conmonPid: number }> {
    return startConmon(this.conmonOptions(id, dir, o));
  }

  private conmonOptions(id: string, dir: string, o: Partial<ConmonOptions> & { logPath: string }): ConmonOptions {
    const bundle = path.join(dir, 'bundle');
    return {
      conmonPath: this.opts.conmonPath,
      id,
      runtimePath: this.cli.wrapperPath,
      bundle,
      containerPidFile: path.join(bundle, 'pidfile'),
      conmonPidFile: path.join(bundle, 'conmon.pid'),
      exitDir: this.exitDir,
      persistDir: path.join(dir, 'persist'),
      socketDir: path.join(this.stateDir, 'sock'),
      start: true,
      ...o,
    };
  }

  /** containerConmonOptions: conmon's options for container c. */
  private containerConmonOptions(c: ContainerRecord, extra: Partial<ConmonOptions> = {}): ConmonOptions {
    return this.conmonOptions(c.id, this.store.containerDir(c.id), { logPath: c.logPath, logSizeMax: this.opts.logSizeMax, stdin: c.config.stdin, stdinOnce: c.config.stdinOnce, tty: c.config.tty, ...extra });
  }

  /** prestart launches a created container's conmon behind a start gate (see createContainer). */
  private prestart(c: ContainerRecord): void {
    const gate = StartGate.create(path.join(this.store.containerDir(c.id), 'start-gate'));
    const launch = launchConmon(this.containerConmonOptions(c, { gate: gate.path }));
    launch.catch(() => undefined); // StartContainer or RemoveContainer reports it
    this.pending.set(c.id, { gate, launch });
  }

  /** cancelPending tells a created container's waiting conmon to give up, and waits for its
   * report (conmon's files in the bundle are written by then); false if there was none. */
  private async cancelPending(id: string): Promise<boolean> {
    const pending = this.pending.get(id);
    if (!pending) return false;
    this.pending.delete(id);
    pending.gate.cancel();
    await pending.launch.then((l) => l.created(this.opts.killWaitMs ?? 10_000)).catch(() => undefined);
    return true;
  }

  /** startPending opens the container's start gate and waits for conmon's report. A container
   * created by an earlier runtime process has no gate any more (its conmon gave up when that
   * process died): it gets a conmon of its own now. */
  private async startPending(c: ContainerRecord): Promise<{ pid: number; conmonPid: number }> {
    const pending = this.pending.get(c.id);
    if (!pending) {
      await this.clearStaleLaunch(c);
      return startConmon(this.containerConmonOptions(c));
    }
    this.pending.delete(c.id);
    try {
      // The byte waits in the FIFO if the wrapper is not there yet (or conmon still loading).
      pending.gate.open();
      return await (await pending.launch).created();
    } finally {
      pending.gate.close();
    }
  }

  /** clearStaleLaunch ends the conmon an earlier runtime process launched for a container it
   * created but never recorded as started, and anything that conmon's runtime got to create. */
  private async clearStaleLaunch(c: ContainerRecord): Promise<void> {
    const bundle = path.join(this.store.containerDir(c.id), 'bundle');
    const pidFile = path.join(bundle, 'conmon.pid');
    const stale = Number(readIfRegular(pidFile).trim());
    if (!stale) return;
    if (await processAlive(stale)) {
      try {
        process.kill(stale, 'SIGKILL'); // its runtime child dies with it (PDEATHSIG)
      } catch {
        // gone already
      }
      const deadline = Date.now() + 2000;
      while ((await processAlive(stale)) && Date.now() < deadline) await sleep(pollMs);
    }
    await this.cli.delete(c.id).catch(() => undefined);
    await rm(pidFile, { force: true });
    await rm(path.join(bundle, 'pidfile'), { force: true });
    this.log?.info({ containerId: c.id, conmonPid: stale }, 'ended the conmon of a container an earlier runtime created');
  }

  /** adoptStarted completes the record of a container whose start was cut short (the runtime died
   * after conmon started it, before the record was saved) from conmon's pid files; false if it
   * was never started. */
  private async adoptStarted(c: ContainerRecord): Promise<boolean> {
    const bundle = path.join(this.store.containerDir(c.id), 'bundle');
    const [conmonPid, pidfile] = await Promise.all([
      readFile(path.join(bundle, 'conmon.pid'), 'utf8').then((t) => Number(t.trim()), () => 0),
      stat(path.join(bundle, 'pidfile')).then((st) => st, () => undefined),
    ]);
    // conmon is launched at CreateContainer; the container was started only if the OCI runtime
    // wrote its pid file (after the start gate opened).
    if (!conmonPid || !pidfile) return false;
    c.conmonPid = conmonPid;
    c.pid = Number((await readFile(path.join(bundle, 'pidfile'), 'utf8').catch(() => '0')).trim());
    c.startedAt = Math.round(pidfile.mtimeMs * 1e6);
    await this.store.saveContainer(c);
    this.log?.info({ containerId: c.id, conmonPid }, 'adopted a container whose start was not recorded');
    return true;
  }

  private async exitFileExists(id: string): Promise<boolean> {
    return existsSync(path.join(this.exitDir, id));
  }

  private async waitExit(id: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.exitFileExists(id)) return true;
      await sleep(pollMs);
    }
    return this.exitFileExists(id);
  }

  /** killAndWait signals the container and waits for conmon's exit file; if conmon is gone the
   * runtime's own view decides. */
  private async killAndWait(id: string, conmonPid: number, signal: string, timeoutMs: number): Promise<void> {
    if (await this.exitFileExists(id)) return;
    try {
      await this.cli.kill(id, signal, true);
    } catch (e) {
      if (!(e instanceof OciRuntimeError)) throw e;
      // already stopped or unknown to the runtime: nothing left to signal
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.exitFileExists(id)) return;
      if (!(await processAlive(conmonPid))) return;
      await sleep(pollMs);
    }
    throw new RuntimeError('DeadlineExceeded', `container ${id} did not exit ${timeoutMs}ms after SIG${signal}`);
  }
}
