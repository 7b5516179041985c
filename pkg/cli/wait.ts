// wait.ts: polling helpers for commands that wait (delete --wait, wait, rollout status).
import { isNotFound } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import type { ResourceClient } from '../client/resource.js';

/** sleep waits ms, ending early (without error) when signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** pollUntil calls check every intervalMs until it returns a value, the deadline passes or signal aborts. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal; now?: () => number; onTick?: (elapsedMs: number) => void }): Promise<T | undefined> {
  const now = opts.now ?? Date.now;
  const start = now();
  const deadline = start + opts.timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    opts.onTick?.(now() - start);
    if (now() >= deadline || opts.signal?.aborted) return undefined;
    await sleep(Math.min(opts.intervalMs ?? 250, Math.max(1, deadline - now())), opts.signal);
  }
}

/** waitForDeletion waits until the object is gone (or replaced by one with another uid). */
export async function waitForDeletion(rc: ResourceClient<KubeObject>, name: string, uid: string | undefined, opts: { timeoutMs: number; signal?: AbortSignal; onTick?: (elapsedMs: number) => void }): Promise<boolean> {
  const gone = await pollUntil(
    async () => {
      try {
        const obj = await rc.get(name);
        return uid && obj.metadata.uid !== uid ? true : undefined;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    },
    opts,
  );
  return gone === true;
}
