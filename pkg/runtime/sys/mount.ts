// mount.ts: overlay rootfs mounts and safe removal of directories that may hold mounts.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { mount, umount2, UmountFlags, SyscallError } from './libc.js';

/** OverlayDirs names the directories of one overlay mount. */
export interface OverlayDirs {
  /** lowerDirs: image layers, LOWEST layer first (as ImageRecord.layerDirs); reversed for the kernel. */
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  target: string;
}

/** overlayOptions builds the overlay mount data; the kernel wants the top layer first in lowerdir. */
export function overlayOptions(dirs: Omit<OverlayDirs, 'target'>): string {
  if (dirs.lowerDirs.length === 0) throw new Error('overlay needs at least one lower directory');
  for (const d of [...dirs.lowerDirs, dirs.upperDir, dirs.workDir]) {
    // ':' and ',' separate lowerdirs and options; an escaped form exists but no layer path needs it.
    if (/[,:]/.test(d)) throw new Error(`overlay directory ${d} must not contain ',' or ':'`);
  }
  const lower = [...dirs.lowerDirs].reverse().join(':');
  return `lowerdir=${lower},upperdir=${dirs.upperDir},workdir=${dirs.workDir}`;
}

/** mountOverlay mounts an overlay filesystem at dirs.target. */
export function mountOverlay(dirs: OverlayDirs): void {
  mount('overlay', dirs.target, 'overlay', 0, overlayOptions(dirs));
}

/** unescapeMountinfo decodes the octal escapes (\040 etc.) /proc/self/mountinfo uses in paths. */
export function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** parseMountPoints returns the mount points listed in a mountinfo text. */
export function parseMountPoints(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    if (fields.length > 4) out.push(unescapeMountinfo(fields[4]));
  }
  return out;
}

/** mountsUnder lists mount points at or below dir, deepest first (the order to unmount them). */
export function mountsUnder(dir: string): string[] {
  const root = path.resolve(dir);
  const points = parseMountPoints(readFileSync('/proc/self/mountinfo', 'utf8'));
  return points
    .filter((p) => p === root || p.startsWith(root + '/'))
    .sort((a, b) => b.length - a.length);
}

/** isMountPoint reports whether dir itself is a mount point. */
export function isMountPoint(dir: string): boolean {
  const root = path.resolve(dir);
  return parseMountPoints(readFileSync('/proc/self/mountinfo', 'utf8')).includes(root);
}

/** unmount unmounts target (lazily if busy); a target that is not mounted is not an error. */
export function unmount(target: string): void {
  try {
    umount2(target, 0);
  } catch (e) {
    if (e instanceof SyscallError && (e.code === 'EINVAL' || e.code === 'ENOENT')) return;
    if (e instanceof SyscallError && e.code === 'EBUSY') {
      umount2(target, UmountFlags.MNT_DETACH);
      return;
    }
    throw e;
  }
}

/** removeTree unmounts everything under dir, verifies nothing is left mounted, then deletes it. */
export async function removeTree(dir: string): Promise<void> {
  for (const point of mountsUnder(dir)) unmount(point);
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`refusing to delete ${dir}: still mounted: ${left.join(', ')}`);
  await rm(dir, { recursive: true, force: true });
}
