// cgroups.ts: cgroup mode detection and the few cgroup files the runtime reads (limits, OOM kills).
// Skiff uses the cgroupfs layout: a cgroupsPath "/parent/id" is a directory under each v1
// controller mount, or under /sys/fs/cgroup on a unified (v2) host.
import { existsSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';

/** CgroupMode is how the host mounts cgroups. */
export type CgroupMode = 'v1' | 'hybrid' | 'v2';

/** CgroupLayout tells where cgroup hierarchies live; tests may point it elsewhere. */
export interface CgroupLayout {
  root: string;
}

const defaultLayout: CgroupLayout = { root: '/sys/fs/cgroup' };

/** detectCgroupMode: v2 when the root itself is cgroup2, hybrid when a cgroup2 is mounted at unified/. */
export function detectCgroupMode(layout: CgroupLayout = defaultLayout): CgroupMode {
  if (existsSync(path.join(layout.root, 'cgroup.controllers'))) return 'v2';
  if (existsSync(path.join(layout.root, 'unified', 'cgroup.controllers'))) return 'hybrid';
  return 'v1';
}

/** hybridHasV2Controllers reports whether the unified hierarchy of a hybrid host has controllers;
 * crun refuses to run on such hosts, so the runtime hides the unified mount from it. */
export function hybridHasV2Controllers(layout: CgroupLayout = defaultLayout): boolean {
  try {
    return readFileSync(path.join(layout.root, 'unified', 'cgroup.controllers'), 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/** cgroupDir is the directory of cgroupsPath for a controller (ignored on v2). */
export function cgroupDir(mode: CgroupMode, cgroupsPath: string, controller: string, layout = defaultLayout): string {
  const rel = cgroupsPath.replace(/^\/+/, '');
  return mode === 'v2' ? path.join(layout.root, rel) : path.join(layout.root, controller, rel);
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** parseKeyedCounters parses "key value" lines (memory.events, memory.oom_control). */
export function parseKeyedCounters(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** oomKillCount returns how many processes the kernel OOM-killed in the cgroup, if known. */
export function oomKillCount(mode: CgroupMode, cgroupsPath: string, layout = defaultLayout): number | undefined {
  const dir = cgroupDir(mode, cgroupsPath, 'memory', layout);
  const text = mode === 'v2' ? readOrUndefined(path.join(dir, 'memory.events')) : readOrUndefined(path.join(dir, 'memory.oom_control'));
  if (text === undefined) return undefined;
  const counters = parseKeyedCounters(text);
  return counters.oom_kill;
}

/** memoryLimit returns the memory limit in bytes of the cgroup (undefined if unlimited or unknown). */
export function memoryLimit(mode: CgroupMode, cgroupsPath: string, layout = defaultLayout): number | undefined {
  const dir = cgroupDir(mode, cgroupsPath, 'memory', layout);
  const text = readOrUndefined(path.join(dir, mode === 'v2' ? 'memory.max' : 'memory.limit_in_bytes'))?.trim();
  if (!text || text === 'max') return undefined;
  const n = Number(text);
  // v1 reports "unlimited" as a huge page-aligned number.
  return n >= 2 ** 62 ? undefined : n;
}

/** removeCgroup removes the cgroup directory (and empty children) in every hierarchy; errors
 * for non-empty cgroups are ignored because a cgroup with live processes cannot be removed. */
export function removeCgroup(mode: CgroupMode, cgroupsPath: string, layout = defaultLayout): void {
  const rel = cgroupsPath.replace(/^\/+/, '');
  if (rel === '') return;
  const bases = mode === 'v2' ? [layout.root] : readdirSync(layout.root).map((c) => path.join(layout.root, c));
  for (const base of bases) removeDirTree(path.join(base, rel));
}

function removeDirTree(dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeDirTree(path.join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    // busy or already gone
  }
}
