// expectations.ts: what a controller is waiting to see in its caches after its own writes
// (client-go's ControllerExpectations). Having created 3 pods, a ReplicaSet must not count
// pods again until the informer has shown it those 3 (or the expectation expired), or a slow
// watch would make it create them twice.
import type { Clock } from '../client/clock.js';

/** EXPECTATIONS_TTL_MS: after this, expectations are considered stale and ignored (5 minutes). */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  /** deleting holds the keys of pods whose deletion is expected, so a repeat event counts once. */
  deleting: Set<string>;
  at: number;
}

/** ControllerExpectations counts creations and deletions a controller expects to observe, per key. */
export class ControllerExpectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  /** satisfied tells whether key may sync: nothing outstanding, expired, or never set. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.at > EXPECTATIONS_TTL_MS;
  }

  /** expectCreations records that n creations are on their way. */
  expectCreations(key: string, n: number): void {
    this.byKey.set(key, { add: n, del: 0, deleting: new Set(), at: this.clock.now() });
  }

  /** expectDeletions records that the objects with these keys are being deleted. */
  expectDeletions(key: string, objectKeys: string[]): void {
    this.byKey.set(key, { add: 0, del: objectKeys.length, deleting: new Set(objectKeys), at: this.clock.now() });
  }

  /** creationObserved lowers the expected creations (an informer saw one, or a create failed). */
  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.add--;
  }

  /** deletionObserved lowers the expected deletions once per object key. */
  deletionObserved(key: string, objectKey?: string): void {
    const e = this.byKey.get(key);
    if (!e) return;
    if (objectKey !== undefined) {
      if (!e.deleting.delete(objectKey)) return;
    }
    e.del--;
  }

  /** pending returns the outstanding counts (for logs and tests). */
  pending(key: string): { add: number; del: number } {
    const e = this.byKey.get(key);
    return { add: e?.add ?? 0, del: e?.del ?? 0 };
  }

  /** delete forgets a key (its object is gone). */
  delete(key: string): void {
    this.byKey.delete(key);
  }
}
