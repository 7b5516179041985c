// server.ts: the CRI-shaped gRPC server on a unix socket, delegating to ContainerRuntime and
// CriImageService. Closing the server leaves containers running under conmon; a new server
// over the same state dir adopts them.
import * as grpc from '@grpc/grpc-js';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ImageStore } from '../image/types.js';
import { ContainerRuntime, type RuntimeOptions } from '../runtime.js';
import type { ExecSession } from '../exec.js';
import { CriImageService } from './images.js';
import { loadCriServices } from './load.js';
import { toServiceError } from './grpc-errors.js';

/** RuntimeServerOptions configures startRuntimeServer. */
export interface RuntimeServerOptions {
  socketPath: string;
  stateDir: string;
  runtime?: 'crun' | 'runc';
  imageStore: ImageStore;
  logger?: Logger;
  /** insecureRegistries may be pulled over plain HTTP (the store honours loopback ones only). */
  insecureRegistries?: string[];
  /** runtimeOptions: further ContainerRuntime options (clock, ids, cgroup parent…). */
  runtimeOptions?: Partial<RuntimeOptions>;
}

/** RuntimeServer is a running server. */
export interface RuntimeServer {
  runtime: ContainerRuntime;
  images: CriImageService;
  socketPath: string;
  /** close stops serving (containers keep running). */
  close(): Promise<void>;
}

type Handler = (req: any) => Promise<unknown>;

function unary(fn: Handler): grpc.handleUnaryCall<any, any> {
  return (call, callback) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (e) => callback(toServiceError(e)),
    );
  };
}

/** streamHandler runs one Exec or Attach stream: start, then stdin/resize in; stdout/stderr/
 * exit_code out. open starts the session from the start message. */
function streamHandler(open: (start: any) => Promise<ExecSession>, log?: Logger): grpc.handleBidiStreamingCall<any, any> {
  return (call) => {
    let session: ExecSession | undefined;
    let done = false;
    // stdin may arrive before the exec process exists; replay it once the session is up
    const early: ((s: ExecSession) => void)[] = [];
    const withSession = (fn: (s: ExecSession) => void): void => {
      if (session) fn(session);
      else early.push(fn);
    };
    const fail = (e: unknown): void => {
      if (done) return;
      done = true;
      call.destroy(Object.assign(new Error(toServiceError(e).details), toServiceError(e)) as any);
    };
    call.on('data', (msg: any) => {
      if (msg.msg === 'start') {
        if (session) return fail(new Error('stream already started'));
        open(msg.start).then((s) => {
          session = s;
          for (const fn of early.splice(0)) fn(s);
          s.stdout.on('data', (d: Buffer) => call.write({ stdout: d }));
          s.stderr.on('data', (d: Buffer) => call.write({ stderr: d }));
          s.exitCode.then(
            (exitCode) => {
              if (done) return;
              done = true;
              call.write({ exitCode });
              call.end();
            },
            (e) => fail(e),
          );
        }, fail);
      } else if (msg.msg === 'stdin') {
        withSession((s) => s.stdin?.write(msg.stdin));
      } else if (msg.msg === 'stdinClose') {
        withSession((s) => s.stdin?.end());
      } else if (msg.msg === 'resize') {
        withSession((s) => s.resize(msg.resize.width, msg.resize.height));
      }
    });
    call.on('end', () => withSession((s) => s.stdin?.end()));
    call.on('cancelled', () => {
      done = true;
      log?.debug('stream cancelled: killing the exec, or detaching');
      void session?.kill('SIGKILL');
    });
    call.on('error', () => void session?.kill('SIGKILL'));
  };
}

/** startRuntimeServer opens the runtime over stateDir and serves it on socketPath. */
export async function startRuntimeServer(opts: RuntimeServerOptions): Promise<RuntimeServer> {
  const log = opts.logger;
  const rt = await ContainerRuntime.open({ ...opts.runtimeOptions, stateDir: opts.stateDir, imageStore: opts.imageStore, runtime: opts.runtime, logger: log });
  const images = new CriImageService(opts.imageStore, opts.insecureRegistries);
  const { RuntimeService, ImageService } = loadCriServices();
  const server = new grpc.Server();
  server.addService(RuntimeService.service, {
    Version: unary(async () => rt.version()),
    RunPodSandbox: unary(async (r) => ({ podSandboxId: await rt.runPodSandbox(r.config, r.runtimeHandler) })),
    StopPodSandbox: unary(async (r) => (await rt.stopPodSandbox(r.podSandboxId), {})),
    RemovePodSandbox: unary(async (r) => (await rt.removePodSandbox(r.podSandboxId), {})),
    PodSandboxStatus: unary(async (r) => ({ status: await rt.podSandboxStatus(r.podSandboxId), info: {} })),
    ListPodSandbox: unary(async (r) => ({ items: await rt.listPodSandbox(r.filter) })),
    CreateContainer: unary(async (r) => ({ containerId: await rt.createContainer(r.podSandboxId, r.config, r.sandboxConfig) })),
    StartContainer: unary(async (r) => (await rt.startContainer(r.containerId), {})),
    StopContainer: unary(async (r) => (await rt.stopContainer(r.containerId, Number(r.timeout)), {})),
    RemoveContainer: unary(async (r) => (await rt.removeContainer(r.containerId), {})),
    ListContainers: unary(async (r) => ({ containers: await rt.listContainers(r.filter) })),
    ContainerStatus: unary(async (r) => ({ status: await rt.containerStatus(r.containerId), info: {} })),
    ReopenContainerLog: unary(async (r) => (await rt.reopenContainerLog(r.containerId), {})),
    ExecSync: unary(async (r) => rt.execSync(r.containerId, r.cmd, Number(r.timeout))),
    Exec: streamHandler((start) => rt.exec(start.containerId, { cmd: start.cmd, stdin: start.stdin, tty: start.tty }), log),
    Attach: streamHandler((start) => rt.attach(start.containerId, { stdin: start.stdin }), log),
  });
  server.addService(ImageService.service, {
    ListImages: unary(async (r) => ({ images: await images.listImages(r.filter) })),
    ImageStatus: unary(async (r) => ({ image: await images.imageStatus(r.image?.image ?? ''), info: {} })),
    PullImage: unary(async (r) => ({ imageRef: await images.pullImage(r.image?.image ?? '', r.auth) })),
    RemoveImage: unary(async (r) => (await images.removeImage(r.image?.image ?? ''), {})),
    ImageFsInfo: unary(async () => ({ imageFilesystems: await images.imageFsInfo(), containerFilesystems: [] })),
  });

  await mkdir(path.dirname(opts.socketPath), { recursive: true });
  await rm(opts.socketPath, { force: true });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${opts.socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  log?.info({ socket: opts.socketPath, stateDir: opts.stateDir, runtime: rt.cli.name }, 'runtime server listening');

  return {
    runtime: rt,
    images,
    socketPath: opts.socketPath,
    async close() {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await rt.close();
      await rm(opts.socketPath, { force: true });
    },
  };
}
