// mounter.ts: the few host mounts the agent makes itself (tmpfs for emptyDir medium Memory),
// through mount(8)/umount(8), started with posix_spawn (no fork of the agent's Node process).
import { readFile } from 'node:fs/promises';
import { execRunner } from '../network/exec.js';

const run = (file: string, args: string[]) => execRunner([file, ...args]);

/** Mounter mounts and unmounts tmpfs directories. */
export interface Mounter {
  mountTmpfs(dir: string, sizeBytes?: number): Promise<void>;
  unmount(dir: string): Promise<void>;
  isMountPoint(dir: string): Promise<boolean>;
  /** mountPointsUnder lists mount points at or below dir, deepest first. */
  mountPointsUnder(dir: string): Promise<string[]>;
}

/** mountPointsUnder lists mount points at or below dir, deepest first, from /proc/self/mountinfo. */
export async function mountPointsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const unescape = (s: string) => s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const points = info
    .split('\n')
    .map((l) => unescape(l.split(' ')[4] ?? ''))
    .filter((p) => p === dir || p.startsWith(dir.replace(/\/+$/, '') + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** hostMounter is the Mounter of the real host. */
export const hostMounter: Mounter = {
  async mountTmpfs(dir, sizeBytes) {
    const opts = ['mode=0777', ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(',');
    await run('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
  },
  async unmount(dir) {
    await run('umount', ['-l', dir]);
  },
  async isMountPoint(dir) {
    return (await mountPointsUnder(dir)).includes(dir);
  },
  mountPointsUnder,
};
