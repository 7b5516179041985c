// fake-runtime.ts: an in-memory RuntimeService and ImageService for unit tests of the agent.
// Containers start "running" and change only when a test calls exit(); time comes from now().
import type { ExecOptions, ExecSession } from '../../runtime/exec.js';
import { notFound } from '../../runtime/errors.js';
import type { CriImage, ImageService, RuntimeService } from '../../runtime/service.js';
import type { Container, ContainerConfig, ContainerFilter, ContainerStatus, ExecSyncResult, PodSandbox, PodSandboxConfig, PodSandboxFilter, PodSandboxStatus, VersionInfo } from '../../runtime/types.js';

interface FakeContainer {
  status: ContainerStatus;
  sandboxId: string;
  /** ignoresTerm: stopContainer with a timeout waits it out (the fake records the wait). */
  ignoresTerm?: boolean;
}

const matches = (labels: Record<string, string>, sel?: Record<string, string>) => Object.entries(sel ?? {}).every(([k, v]) => labels[k] === v);

/** FakeRuntime is a RuntimeService + ImageService in memory. */
export class FakeRuntime implements RuntimeService, ImageService {
  readonly sandboxes = new Map<string, PodSandbox & { config: PodSandboxConfig }>();
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Map<string, string>([['busybox', 'sha256:busybox']]);
  readonly calls: string[] = [];
  /** execResults: exit code by the command's first word (default 0). */
  readonly execResults = new Map<string, number>();
  /** stopTimeouts: the timeout of each stopContainer call, by container id. */
  readonly stopTimeouts = new Map<string, number>();
  failStart = new Set<string>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  private id(kind: string): string {
    return `${kind}${++this.seq}`;
  }

  async version(): Promise<VersionInfo> {
    return { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '0.0.1', runtimeApiVersion: 'v1' };
  }
  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = this.id('sb');
    this.calls.push(`runPodSandbox ${config.metadata.name}`);
    this.sandboxes.set(id, { id, metadata: config.metadata, state: 'SANDBOX_READY', createdAt: this.now() * 1e6 + this.seq, labels: config.labels ?? {}, annotations: config.annotations ?? {}, runtimeHandler: '', config });
    return id;
  }
  async stopPodSandbox(id: string): Promise<void> {
    const s = this.sandboxes.get(id);
    if (!s) return;
    for (const c of this.containers.values()) if (c.sandboxId === id && c.status.state === 'CONTAINER_RUNNING') this.exit(c.status.id, 137);
    s.state = 'SANDBOX_NOTREADY';
  }
  async removePodSandbox(id: string): Promise<void> {
    for (const [cid, c] of this.containers) if (c.sandboxId === id) this.containers.delete(cid);
    this.sandboxes.delete(id);
  }
  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandboxes.get(id);
    if (!s) throw notFound('pod sandbox', id);
    return { ...s, network: { ip: '', additionalIps: [] }, linux: { namespaces: { options: {} } } };
  }
  async listPodSandbox(filter?: PodSandboxFilter | null): Promise<PodSandbox[]> {
    return [...this.sandboxes.values()].filter((s) => matches(s.labels, filter?.labelSelector)).map(({ config: _c, ...s }) => s);
  }
  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const id = this.id('c');
    this.calls.push(`createContainer ${config.metadata.name} ${config.metadata.attempt}`);
    this.containers.set(id, {
      sandboxId,
      status: {
        id,
        metadata: config.metadata,
        state: 'CONTAINER_CREATED',
        createdAt: this.now() * 1e6 + this.seq,
        startedAt: 0,
        finishedAt: 0,
        exitCode: 0,
        image: config.image,
        imageRef: this.images.get(config.image.image) ?? config.image.image,
        reason: '',
        message: '',
        labels: config.labels ?? {},
        annotations: config.annotations ?? {},
        mounts: config.mounts ?? [],
        logPath: '',
      },
    });
    return id;
  }
  async startContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) throw notFound('container', id);
    if (this.failStart.has(c.status.metadata.name)) {
      Object.assign(c.status, { state: 'CONTAINER_EXITED', exitCode: 128, reason: 'StartError', finishedAt: this.now() * 1e6 });
      throw new Error('start failed');
    }
    Object.assign(c.status, { state: 'CONTAINER_RUNNING', startedAt: this.now() * 1e6 });
  }
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c) throw notFound('container', id);
    this.stopTimeouts.set(id, timeoutSeconds);
    if (c.status.state === 'CONTAINER_RUNNING') this.exit(id, c.ignoresTerm || timeoutSeconds === 0 ? 137 : 143);
  }
  async removeContainer(id: string): Promise<void> {
    this.containers.delete(id);
  }
  async listContainers(filter?: ContainerFilter | null): Promise<Container[]> {
    return [...this.containers.values()]
      .filter((c) => matches(c.status.labels, filter?.labelSelector))
      .map((c) => ({ id: c.status.id, podSandboxId: c.sandboxId, metadata: c.status.metadata, image: c.status.image, imageRef: c.status.imageRef, state: c.status.state, createdAt: c.status.createdAt, labels: c.status.labels, annotations: c.status.annotations }));
  }
  async containerStatus(id: string): Promise<ContainerStatus> {
    const c = this.containers.get(id);
    if (!c) throw notFound('container', id);
    return structuredClone(c.status);
  }
  async reopenContainerLog(): Promise<void> {}
  async execSync(_id: string, cmd: string[]): Promise<ExecSyncResult> {
    return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: this.execResults.get(cmd[0] ?? '') ?? 0 };
  }
  async exec(_id: string, _opts: ExecOptions): Promise<ExecSession> {
    throw new Error('exec is not faked');
  }
  async attach(): Promise<ExecSession> {
    throw new Error('attach is not faked');
  }

  // ImageService
  async pullImage(ref: string): Promise<string> {
    if (ref.startsWith('missing')) throw new Error('not found in registry');
    this.images.set(ref, `sha256:${ref}`);
    return `sha256:${ref}`;
  }
  async listImages(): Promise<CriImage[]> {
    return [];
  }
  async imageStatus(ref: string): Promise<CriImage | null> {
    const id = this.images.get(ref);
    return id ? { id, repoTags: [ref], repoDigests: [], size: 1, uid: null, username: '', spec: null, pinned: false } : null;
  }
  async removeImage(): Promise<void> {}
  async imageFsInfo() {
    return [];
  }

  /** exit makes a running container exit with code (137 is reported as an Error, OOM via reason). */
  exit(id: string, code: number, reason = code === 0 ? 'Completed' : 'Error'): void {
    const c = this.containers.get(id)!;
    Object.assign(c.status, { state: 'CONTAINER_EXITED', exitCode: code, reason, finishedAt: this.now() * 1e6 });
  }

  /** byName lists a container name's attempts, oldest first. */
  byName(name: string): ContainerStatus[] {
    return [...this.containers.values()].map((c) => c.status).filter((s) => s.metadata.name === name).sort((a, b) => a.createdAt - b.createdAt);
  }
}
