// gc-policy.ts: which images to delete to get disk use under the low threshold
// (kubelet's image GC policy): least recently used first, never an image in use, and an
// image only frees the layers no remaining image shares.
import type { StoredImage } from './image-db.js';

/** GcThresholds are the disk-use limits. Byte limits, when set, win over percentages. */
export interface GcThresholds {
  /** highPercent of the file system's capacity in use starts GC (default 85). */
  highPercent?: number;
  /** lowPercent is the use GC brings the file system down to (default 80). */
  lowPercent?: number;
  /** highBytes used by the store starts GC. */
  highBytes?: number;
  /** lowBytes is the store size GC brings it down to (default 80% of highBytes). */
  lowBytes?: number;
}

/** DiskState is what GC measured. */
export interface DiskState {
  /** storeBytes is what the store uses. */
  storeBytes: number;
  /** capacity and available describe the file system holding the store. */
  capacity: number;
  available: number;
}

/** bytesToFree says how much GC must free now (0 when under the high threshold). */
export function bytesToFree(t: GcThresholds, disk: DiskState): number {
  if (t.highBytes !== undefined) {
    if (disk.storeBytes <= t.highBytes) return 0;
    return disk.storeBytes - (t.lowBytes ?? Math.floor(t.highBytes * 0.8));
  }
  if (disk.capacity <= 0) return 0;
  const used = disk.capacity - disk.available;
  const high = t.highPercent ?? 85;
  const low = t.lowPercent ?? 80;
  if ((used * 100) / disk.capacity <= high) return 0;
  return Math.max(0, used - Math.floor((disk.capacity * low) / 100));
}

/**
 * chooseVictims picks images to delete, least recently used first, until the bytes their
 * deletion frees reach toFree (or no candidate is left). Returns ids in deletion order.
 */
export function chooseVictims(images: StoredImage[], inUse: (img: StoredImage) => boolean, toFree: number): string[] {
  if (toFree <= 0) return [];
  const refs = new Map<string, number>();
  for (const img of images) for (const l of img.layers) refs.set(l.diffID, (refs.get(l.diffID) ?? 0) + 1);
  const candidates = images.filter((i) => !inUse(i)).sort((a, b) => a.lastUsed - b.lastUsed || a.id.localeCompare(b.id));
  const victims: string[] = [];
  let freed = 0;
  for (const img of candidates) {
    if (freed >= toFree) break;
    victims.push(img.id);
    for (const l of img.layers) {
      const n = (refs.get(l.diffID) ?? 1) - 1;
      refs.set(l.diffID, n);
      if (n === 0) freed += l.size + l.unpackedBytes;
    }
  }
  return victims;
}
