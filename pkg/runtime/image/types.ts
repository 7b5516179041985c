// types.ts: the contract between the image store (pkg/runtime/image) and the rest of the runtime.

/** OciImageConfig is the part of an OCI image config (application/vnd.oci.image.config.v1+json) a runtime uses. */
export interface OciImageConfig {
  architecture?: string;
  os?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string>;
    ExposedPorts?: Record<string, object>;
    Volumes?: Record<string, object>;
    StopSignal?: string;
  };
  rootfs?: { type: 'layers'; diff_ids: string[] };
}

/** ImageRecord is one image known to the node. */
export interface ImageRecord {
  /** id is the digest of the image config ("sha256:…"), as CRI reports image ids. */
  id: string;
  /** repoTags: normalized references, e.g. "docker.io/library/busybox:latest", "localhost:5000/web:v1". */
  repoTags: string[];
  /** repoDigests: "repo@sha256:…" for images pulled from a registry. */
  repoDigests: string[];
  /** size in bytes of the compressed layers. */
  size: number;
  config: OciImageConfig;
  /** layerDirs: unpacked layer directories, lowest layer first, ready to be overlay lowerdirs. */
  layerDirs: string[];
  /** lastUsed: epoch ms, updated when a container is created from the image (for GC). */
  lastUsed: number;
}

/** PullOptions controls a registry pull. */
export interface PullOptions {
  /** Registries ("host:port") that may be reached over plain HTTP. Only loopback ones are honoured. */
  insecureRegistries?: string[];
  /** Basic credentials, used for token auth too. */
  auth?: { username: string; password: string };
}

/** ImageStore is the node's content-addressed image store. */
export interface ImageStore {
  pull(ref: string, opts?: PullOptions): Promise<ImageRecord>;
  /** importArchive loads an OCI layout tar or a `docker save` tar; returns the images it held. */
  importArchive(file: string, opts?: { name?: string }): Promise<ImageRecord[]>;
  /** get resolves a reference ("busybox", "localhost:5000/web:v1"), an id, or a digest. */
  get(ref: string): Promise<ImageRecord | undefined>;
  list(): Promise<ImageRecord[]>;
  remove(ref: string): Promise<void>;
  /** markUsed records that a container was created from the image. */
  markUsed(id: string): Promise<void>;
  /** gc removes least recently used images not in `inUse` until disk use is below the low threshold. */
  gc(inUse: Set<string>): Promise<string[]>;
  /** fsInfo reports bytes and inodes used by the store. */
  fsInfo(): Promise<{ mountpoint: string; usedBytes: number; inodesUsed: number }>;
}
