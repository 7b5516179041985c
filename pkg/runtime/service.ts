// service.ts: the interfaces the agent codes against. ContainerRuntime (in-process) and
// RuntimeClient (over the CRI socket) both implement RuntimeService; CriImageService and
// RuntimeClient implement ImageService.
import type { AttachOptions } from './attach.js';
import type { ExecOptions, ExecSession } from './exec.js';
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
} from './types.js';

/** RuntimeService is CRI's RuntimeService. Timeouts are in seconds as in CRI. */
export interface RuntimeService {
  version(): Promise<VersionInfo>;
  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter | null): Promise<PodSandbox[]>;
  createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig?: PodSandboxConfig | null): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter | null): Promise<Container[]>;
  containerStatus(id: string): Promise<ContainerStatus>;
  reopenContainerLog(id: string): Promise<void>;
  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult>;
  exec(id: string, opts: ExecOptions): Promise<ExecSession>;
  /** attach streams the container's own stdio (the session's stdin needs a container with stdin). */
  attach(id: string, opts: AttachOptions): Promise<ExecSession>;
}

/** CriImage is CRI's Image. */
export interface CriImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  uid: { value: number } | null;
  username: string;
  spec: ImageSpec | null;
  pinned: boolean;
}

/** FilesystemUsage is CRI's FilesystemUsage (timestamp in nanoseconds). */
export interface FilesystemUsage {
  timestamp: number;
  fsId: { mountpoint: string };
  usedBytes: { value: number };
  inodesUsed: { value: number };
}

/** RegistryAuth is CRI's AuthConfig subset the store understands. */
export interface RegistryAuth {
  username: string;
  password: string;
}

/** ImageService is CRI's ImageService. */
export interface ImageService {
  pullImage(ref: string, auth?: RegistryAuth | null): Promise<string>;
  listImages(filter?: { image?: ImageSpec | null } | null): Promise<CriImage[]>;
  /** imageStatus returns null when the image is not present (as CRI does). */
  imageStatus(ref: string): Promise<CriImage | null>;
  removeImage(ref: string): Promise<void>;
  imageFsInfo(): Promise<FilesystemUsage[]>;
}
