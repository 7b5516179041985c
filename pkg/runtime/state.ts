// state.ts: the runtime's durable records, one JSON file per sandbox and per container under
// the state dir. They are the runtime's memory across restarts; live facts (is it running,
// how did it exit) are re-read from the OCI runtime and conmon's exit files.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerConfig, PodSandboxConfig } from './types.js';

let tmpSeq = 0;

/** SandboxRecord is what the runtime remembers about a pod sandbox. */
export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  runtimeHandler: string;
  /** createdAt in nanoseconds since the epoch. */
  createdAt: number;
  /** stopped: StopPodSandbox was called (the sandbox stays NOTREADY). */
  stopped: boolean;
  /** pid of the pause process (the namespaces' holder); 0 when the namespaces are pinned. */
  pid: number;
  /** pinned: the sandbox's own namespaces, bind-mounted on files (no pause process); absent for
   * sandboxes with a pause container (a shared PID namespace needs a live init). */
  pinned?: { uts?: string; ipc?: string; net?: string };
  conmonPid: number;
  cgroupsPath: string;
  /** namespace paths containers join ('host' = the node's). */
  netns: string;
  /** shareProcessNamespace: containers join the pause container's PID namespace. */
  sharedPid: boolean;
  hostIpc: boolean;
  hostNetwork: boolean;
  /** files bind-mounted into every container of the pod. */
  etc: { hosts: string; resolvConf: string; hostname: string };
  shmPath?: string;
}

/** ContainerRecord is what the runtime remembers about a container. */
export interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  imageRef: string;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  /** finished: the exit below is final (read from conmon and folded in). */
  finished: boolean;
  exitCode: number;
  reason: string;
  message: string;
  pid: number;
  conmonPid: number;
  logPath: string;
  cgroupsPath: string;
  /** oomKillsAtStart: the cgroup's oom_kill counter when started (normally 0). */
  oomKillsAtStart: number;
  stopSignal: string;
}

/** StateStore reads and writes records atomically (write to temp, rename). */
export class StateStore {
  constructor(readonly dir: string) {}

  sandboxDir(id: string): string {
    return path.join(this.dir, 'sandboxes', id);
  }

  containerDir(id: string): string {
    return path.join(this.dir, 'containers', id);
  }

  async saveSandbox(r: SandboxRecord): Promise<void> {
    await this.write(path.join(this.sandboxDir(r.id), 'record.json'), r);
  }

  async saveContainer(r: ContainerRecord): Promise<void> {
    await this.write(path.join(this.containerDir(r.id), 'record.json'), r);
  }

  async loadSandboxes(): Promise<SandboxRecord[]> {
    return this.loadAll<SandboxRecord>(path.join(this.dir, 'sandboxes'));
  }

  async loadContainers(): Promise<ContainerRecord[]> {
    return this.loadAll<ContainerRecord>(path.join(this.dir, 'containers'));
  }

  /** forget deletes a record file only (the caller removes the rest of the directory). */
  async forget(kind: 'sandboxes' | 'containers', id: string): Promise<void> {
    await rm(path.join(this.dir, kind, id, 'record.json'), { force: true });
  }

  // Records are a few KiB and written synchronously: on small VMs each hop to libuv's
  // threadpool and back costs ~0.5 ms, more than the write itself (it sits on the path of every
  // container start).
  private async write(file: string, value: unknown): Promise<void> {
    mkdirSync(path.dirname(file), { recursive: true });
    // A temp name of its own per write: a crash mid-write must leave the old record whole.
    const tmp = `${file}.${process.pid}.${(tmpSeq = (tmpSeq + 1) % 1e9)}.tmp`;
    writeFileSync(tmp, JSON.stringify(value, null, 2));
    renameSync(tmp, file);
  }

  private async loadAll<T>(dir: string): Promise<T[]> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const out: T[] = [];
    for (const name of names) {
      try {
        out.push(JSON.parse(await readFile(path.join(dir, name, 'record.json'), 'utf8')) as T);
      } catch {
        // a directory without a record is a half-created or half-removed object; removal cleans it
      }
    }
    return out;
  }
}
