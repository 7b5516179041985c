// types.ts: CRI v1 shaped request/response types of the runtime, in the camelCase form that
// @grpc/proto-loader produces from cri/proto.ts (so the gRPC layer passes them through as is).
// Optional message fields may arrive as null from gRPC; code reads them with `?.` and `??`.

/** NamespaceMode says whose namespace a container uses (CRI NamespaceMode). */
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';

/** NamespaceOption selects network/pid/ipc namespace modes. */
export interface NamespaceOption {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  targetId?: string;
}

/** Int64Value wraps an optional integer (CRI style). */
export interface Int64Value {
  value: number;
}

/** DNSConfig becomes the pod's /etc/resolv.conf. */
export interface DNSConfig {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

/** PodSandboxMetadata identifies the pod a sandbox belongs to. */
export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt?: number;
}

/** LinuxPodSandboxConfig is the Linux part of a sandbox config. */
export interface LinuxPodSandboxConfig {
  cgroupParent?: string;
  securityContext?: { namespaceOptions?: NamespaceOption | null; privileged?: boolean } | null;
  sysctls?: Record<string, string>;
  /** netnsPath (Skiff extension): a network namespace made by the network plugin, e.g. /run/netns/skiff-….
   * Empty: the sandbox gets a new, unconfigured network namespace (only loopback). */
  netnsPath?: string;
}

/** PodSandboxConfig is CRI's PodSandboxConfig. */
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory?: string;
  dnsConfig?: DNSConfig | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: LinuxPodSandboxConfig | null;
}

/** PodSandboxState is CRI's sandbox state. */
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

/** PodSandboxStatus is CRI's PodSandboxStatus (timestamps in nanoseconds since the epoch). */
export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: number;
  network: { ip: string; additionalIps: { ip: string }[] };
  linux: { namespaces: { options: NamespaceOption } };
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
}

/** PodSandbox is one item of ListPodSandbox. */
export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
}

/** PodSandboxFilter filters ListPodSandbox. */
export interface PodSandboxFilter {
  id?: string;
  state?: { state: PodSandboxState } | null;
  labelSelector?: Record<string, string>;
}

/** KeyValue is one environment variable. */
export interface KeyValue {
  key: string;
  value: string;
}

/** MountPropagation is CRI's mount propagation mode. */
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

/** Mount is a host path bind-mounted into a container. */
export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: MountPropagation;
}

/** LinuxContainerResources is CRI's LinuxContainerResources (0 means unset). */
export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  memorySwapLimitInBytes?: number;
  /** pidsLimit (Skiff extension): maximum number of processes, 0 = unlimited. */
  pidsLimit?: number;
}

/** Capability adds and drops capabilities ("NET_ADMIN" or "CAP_NET_ADMIN"; "ALL" drops everything). */
export interface Capability {
  addCapabilities?: string[];
  dropCapabilities?: string[];
}

/** LinuxContainerSecurityContext is CRI's container security context. */
export interface LinuxContainerSecurityContext {
  capabilities?: Capability | null;
  privileged?: boolean;
  namespaceOptions?: NamespaceOption | null;
  runAsUser?: Int64Value | null;
  runAsGroup?: Int64Value | null;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: number[];
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

/** ContainerMetadata names a container within its pod. */
export interface ContainerMetadata {
  name: string;
  attempt?: number;
}

/** ImageSpec names an image. */
export interface ImageSpec {
  image: string;
  annotations?: Record<string, string>;
}

/** ContainerConfig is CRI's ContainerConfig. */
export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** logPath is relative to the sandbox's logDirectory. */
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: { resources?: LinuxContainerResources | null; securityContext?: LinuxContainerSecurityContext | null } | null;
}

/** ContainerState is CRI's container state. */
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

/** ContainerStatus is CRI's ContainerStatus (timestamps in nanoseconds since the epoch, 0 = unset). */
export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image: ImageSpec;
  imageRef: string;
  /** reason: Completed, Error, OOMKilled (exited containers) or empty. */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: Mount[];
  logPath: string;
}

/** Container is one item of ListContainers. */
export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: ImageSpec;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** ContainerFilter filters ListContainers. */
export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState } | null;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

/** ExecSyncResult is the outcome of ExecSync. */
export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** VersionInfo is CRI's VersionResponse. */
export interface VersionInfo {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}
