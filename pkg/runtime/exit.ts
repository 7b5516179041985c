// exit.ts: decide whether and how a container ended, from the facts conmon and the kernel left
// behind. Pure, so every combination (adopted after a restart, OOM, lost monitor) is testable.
import type { ContainerRecord } from './state.js';
import type { ContainerState } from './types.js';

/** ExitFacts are what the runtime could observe about a container right now. */
export interface ExitFacts {
  /** exitCode: content of conmon's exit file, undefined if there is none yet. */
  exitCode?: number;
  /** exitTimeMs: modification time of the exit file. */
  exitTimeMs?: number;
  /** oomFile: conmon wrote <persist>/oom. */
  oomFile: boolean;
  /** oomKills: the memory cgroup's oom_kill counter, if readable. */
  oomKills?: number;
  conmonAlive: boolean;
  /** ociStatus: what `crun state` says, undefined if it does not know the container. */
  ociStatus?: string;
  nowMs: number;
}

/** ExitOutcome is the final exit of a container, to fold into its record. */
export interface ExitOutcome {
  exitCode: number;
  finishedAt: number;
  reason: string;
  message: string;
}

const msToNs = (ms: number): number => Math.round(ms * 1e6);

/** decideExit returns the container's exit if it has ended, else undefined. */
export function decideExit(r: Pick<ContainerRecord, 'oomKillsAtStart'>, f: ExitFacts): ExitOutcome | undefined {
  if (f.exitCode !== undefined) {
    const oom = f.oomFile || (f.oomKills !== undefined && f.oomKills > r.oomKillsAtStart);
    return {
      exitCode: f.exitCode,
      finishedAt: msToNs(f.exitTimeMs ?? f.nowMs),
      reason: oom ? 'OOMKilled' : f.exitCode === 0 ? 'Completed' : 'Error',
      message: '',
    };
  }
  // No exit file: the container ended only if its monitor is gone and the runtime agrees it is
  // not running. Then the exit code is lost; report it the way kubelet reports unknown exits.
  if (!f.conmonAlive && f.ociStatus !== 'running' && f.ociStatus !== 'created') {
    return {
      exitCode: 255,
      finishedAt: msToNs(f.nowMs),
      reason: 'Error',
      message: `container monitor exited without recording an exit code (runtime state: ${f.ociStatus ?? 'unknown'})`,
    };
  }
  return undefined;
}

/** containerState maps a record to CRI's state. */
export function containerState(r: Pick<ContainerRecord, 'finished' | 'startedAt'>): ContainerState {
  if (r.finished) return 'CONTAINER_EXITED';
  return r.startedAt > 0 ? 'CONTAINER_RUNNING' : 'CONTAINER_CREATED';
}
