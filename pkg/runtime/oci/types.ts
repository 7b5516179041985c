// types.ts: the subset of the OCI runtime-spec (config.json, version 1.0.2) that Skiff generates.

/** OciMount is one entry of config.json "mounts". */
export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

/** OciNamespace is a namespace to create (no path) or join (path). */
export interface OciNamespace {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';
  path?: string;
}

/** OciRlimit is a POSIX rlimit. */
export interface OciRlimit {
  type: string;
  hard: number;
  soft: number;
}

/** OciCapabilities are the capability sets of the process. */
export interface OciCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable?: string[];
  ambient?: string[];
}

/** OciProcess is config.json "process". */
export interface OciProcess {
  terminal: boolean;
  user: { uid: number; gid: number; additionalGids?: number[]; umask?: number };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  rlimits: OciRlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
}

/** OciResources is config.json "linux.resources". */
export interface OciResources {
  devices: { allow: boolean; access?: string; type?: string; major?: number; minor?: number }[];
  memory?: { limit?: number; swap?: number };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
}

/** OciSpec is the whole config.json. */
export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: {
    namespaces: OciNamespace[];
    resources: OciResources;
    cgroupsPath?: string;
    maskedPaths: string[];
    readonlyPaths: string[];
    rootfsPropagation?: string;
  };
}
