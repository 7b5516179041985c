// status-manager.ts: writes pod status through the status subresource, only when it changed.
// It remembers what it last wrote per pod, so a pass that computes the same status costs no
// request, and sends a JSON merge patch (fields that went away become null) so a write never
// conflicts with the scheduler's or a controller's metadata changes.
import { isNotFound } from '../api/errors.js';
import type { Pod, PodStatus } from '../api/core/pod-types.js';
import { deepEqual } from '../api/equality.js';
import { Resources } from '../client/resources.js';
import type { RestClient } from '../client/rest.js';

/** statusPatch is the merge patch that turns old into next. */
export function statusPatch(old: PodStatus | undefined, next: PodStatus): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const k of Object.keys(old ?? {})) if (!(k in next)) patch[k] = null;
  return { status: patch };
}

/** StatusManager writes pod statuses. */
export class StatusManager {
  private readonly written = new Map<string, PodStatus>();
  /** writes counts status writes (tests and metrics). */
  writes = 0;

  constructor(private readonly client: RestClient) {}

  /** update writes status unless it equals what was last written or what the pod already has. */
  async update(pod: Pod, status: PodStatus): Promise<boolean> {
    const uid = pod.metadata.uid ?? '';
    const last = this.written.get(uid);
    if (last ? deepEqual(last, status) : deepEqual(pod.status ?? {}, status)) return false;
    try {
      await this.client
        .resource<Pod>(Resources.pods)
        .namespace(pod.metadata.namespace ?? 'default')
        .patch(pod.metadata.name ?? '', 'merge', statusPatch(last ?? pod.status, status), { subresource: 'status' });
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
    this.writes++;
    this.written.set(uid, status);
    return true;
  }

  /** forget drops what is remembered for a pod. */
  forget(uid: string): void {
    this.written.delete(uid);
  }
}
