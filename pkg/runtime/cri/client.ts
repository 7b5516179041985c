// client.ts: RuntimeClient, a typed client for the runtime's CRI socket. It implements the
// same RuntimeService and ImageService interfaces as the in-process runtime, and turns gRPC
// errors back into RuntimeErrors (test them with isNotFound etc.).
import * as grpc from '@grpc/grpc-js';
import { PassThrough } from 'node:stream';
import type { AttachOptions } from '../attach.js';
import type { ExecOptions, ExecSession } from '../exec.js';
import type { CriImage, FilesystemUsage, ImageService, RegistryAuth, RuntimeService } from '../service.js';
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStatus,
  ExecSyncResult,
  ImageSpec,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  VersionInfo,
} from '../types.js';
import { loadCriServices } from './load.js';
import { fromServiceError } from './grpc-errors.js';

type UnaryMethod = (req: unknown, cb: (err: grpc.ServiceError | null, res: any) => void) => void;

/** RuntimeClient talks to a runtime server over its unix socket. */
export class RuntimeClient implements RuntimeService, ImageService {
  private readonly runtime: grpc.Client;
  private readonly images: grpc.Client;

  constructor(readonly socketPath: string) {
    const { RuntimeService, ImageService } = loadCriServices();
    const address = `unix://${socketPath}`;
    // No transparent retries: grpc-js then buffers every request for a possible replay, which
    // costs ~0.4 ms per call; callers of a runtime that went away get UNAVAILABLE and retry.
    const options = { 'grpc.enable_retries': 0 };
    this.runtime = new RuntimeService(address, grpc.credentials.createInsecure(), options);
    this.images = new ImageService(address, grpc.credentials.createInsecure(), options);
  }

  private call<T>(client: grpc.Client, method: string, req: unknown): Promise<T> {
    const fn = (client as unknown as Record<string, UnaryMethod>)[method].bind(client);
    return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(fromServiceError(err)) : resolve(res as T))));
  }

  private rpc<T>(method: string, req: unknown = {}): Promise<T> {
    return this.call<T>(this.runtime, method, req);
  }

  /** waitReady resolves once the socket accepts connections (or rejects after timeoutMs). */
  waitReady(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => this.runtime.waitForReady(Date.now() + timeoutMs, (e) => (e ? reject(e) : resolve())));
  }

  async version(): Promise<VersionInfo> {
    return this.rpc('Version', { version: 'v1' });
  }
  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    return (await this.rpc<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler })).podSandboxId;
  }
  async stopPodSandbox(id: string): Promise<void> {
    await this.rpc('StopPodSandbox', { podSandboxId: id });
  }
  async removePodSandbox(id: string): Promise<void> {
    await this.rpc('RemovePodSandbox', { podSandboxId: id });
  }
  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    return (await this.rpc<{ status: PodSandboxStatus }>('PodSandboxStatus', { podSandboxId: id })).status;
  }
  async listPodSandbox(filter?: PodSandboxFilter | null): Promise<PodSandbox[]> {
    return (await this.rpc<{ items: PodSandbox[] }>('ListPodSandbox', { filter: filter ?? null })).items;
  }
  async createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig?: PodSandboxConfig | null): Promise<string> {
    return (await this.rpc<{ containerId: string }>('CreateContainer', { podSandboxId: sandboxId, config, sandboxConfig: sandboxConfig ?? null })).containerId;
  }
  async startContainer(id: string): Promise<void> {
    await this.rpc('StartContainer', { containerId: id });
  }
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.rpc('StopContainer', { containerId: id, timeout: timeoutSeconds });
  }
  async removeContainer(id: string): Promise<void> {
    await this.rpc('RemoveContainer', { containerId: id });
  }
  async listContainers(filter?: ContainerFilter | null): Promise<Container[]> {
    return (await this.rpc<{ containers: Container[] }>('ListContainers', { filter: filter ?? null })).containers;
  }
  async containerStatus(id: string): Promise<ContainerStatus> {
    return (await this.rpc<{ status: ContainerStatus }>('ContainerStatus', { containerId: id })).status;
  }
  async reopenContainerLog(id: string): Promise<void> {
    await this.rpc('ReopenContainerLog', { containerId: id });
  }
  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    return this.rpc('ExecSync', { containerId: id, cmd, timeout: timeoutSeconds });
  }

  /** exec opens an Exec stream; the session looks like the in-process one. */
  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    return this.stream('Exec', { containerId: id, cmd: opts.cmd, tty: opts.tty ?? false, stdin: opts.stdin ?? false }, opts.stdin);
  }

  /** attach opens an Attach stream to the container's own stdio. */
  async attach(id: string, opts: AttachOptions): Promise<ExecSession> {
    return this.stream('Attach', { containerId: id, cmd: [], tty: false, stdin: opts.stdin ?? false }, opts.stdin);
  }

  private async stream(method: 'Exec' | 'Attach', start: { containerId: string; cmd: string[]; tty: boolean; stdin: boolean }, withStdin?: boolean): Promise<ExecSession> {
    const call = (this.runtime as any)[method]() as grpc.ClientDuplexStream<any, any>;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = withStdin
      ? new PassThrough().on('data', (d: Buffer) => call.write({ stdin: d })).on('end', () => call.write({ stdinClose: true }))
      : null;
    let settled = false;
    const exitCode = new Promise<number>((resolve, reject) => {
      call.on('data', (msg: any) => {
        if (msg.msg === 'stdout') stdout.write(msg.stdout);
        else if (msg.msg === 'stderr') stderr.write(msg.stderr);
        else if (msg.msg === 'exitCode') {
          settled = true;
          stdout.end();
          stderr.end();
          resolve(msg.exitCode);
          call.end();
        }
      });
      call.on('error', (e) => {
        stdout.end();
        stderr.end();
        if (!settled) reject(fromServiceError(e));
      });
      call.on('end', () => {
        stdout.end();
        stderr.end();
        if (!settled) reject(new Error(`${method} stream ended without an exit code`));
      });
    });
    call.write({ start: { ...start, stdout: true, stderr: true } });
    return {
      stdin,
      stdout,
      stderr,
      exitCode,
      resize: (width, height) => call.write({ resize: { width, height } }),
      kill: async () => call.cancel(),
    };
  }

  async pullImage(ref: string, auth?: RegistryAuth | null): Promise<string> {
    return (await this.call<{ imageRef: string }>(this.images, 'PullImage', { image: { image: ref }, auth: auth ?? null })).imageRef;
  }
  async listImages(filter?: { image?: ImageSpec | null } | null): Promise<CriImage[]> {
    return (await this.call<{ images: CriImage[] }>(this.images, 'ListImages', { filter: filter ?? null })).images;
  }
  async imageStatus(ref: string): Promise<CriImage | null> {
    return (await this.call<{ image: CriImage | null }>(this.images, 'ImageStatus', { image: { image: ref } })).image;
  }
  async removeImage(ref: string): Promise<void> {
    await this.call(this.images, 'RemoveImage', { image: { image: ref } });
  }
  async imageFsInfo(): Promise<FilesystemUsage[]> {
    return (await this.call<{ imageFilesystems: FilesystemUsage[] }>(this.images, 'ImageFsInfo', {})).imageFilesystems;
  }

  /** close closes the connection. */
  close(): void {
    this.runtime.close();
    this.images.close();
  }
}
