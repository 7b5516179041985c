// pleg.ts: the pod lifecycle event generator. It relists the runtime's containers every period
// and wakes the worker of each pod whose containers changed (started, exited, appeared,
// vanished), so exits are noticed within a period without watching anything.
import type { RuntimeService } from '../runtime/service.js';
import { PodUIDLabel } from './labels.js';

/** Pleg compares successive container listings. */
export class Pleg {
  private last = new Map<string, { uid: string; state: string }>();

  constructor(private readonly runtime: RuntimeService) {}

  /** relist returns the pod uids whose containers changed since the previous relist, and all uids seen. */
  async relist(): Promise<{ changed: Set<string>; seen: Set<string> }> {
    const now = new Map<string, { uid: string; state: string }>();
    for (const c of await this.runtime.listContainers()) now.set(c.id, { uid: c.labels?.[PodUIDLabel] ?? '', state: c.state });
    const changed = new Set<string>();
    for (const [id, cur] of now) if (this.last.get(id)?.state !== cur.state) changed.add(cur.uid);
    for (const [id, old] of this.last) if (!now.has(id)) changed.add(old.uid);
    this.last = now;
    changed.delete('');
    const seen = new Set([...now.values()].map((v) => v.uid).filter((u) => u));
    return { changed, seen };
  }
}
