// backoff.ts: kubelet's per-key exponential backoff (flowcontrol.Backoff) used for container
// restarts (CrashLoopBackOff) and image pulls (ImagePullBackOff): 10 s doubling to 300 s; an
// entry untouched for twice the maximum (10 min) is forgotten, so a container that ran that
// long starts again at 10 s.

/** KeyedBackoffOptions shape a KeyedBackoff. */
export interface KeyedBackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** now returns epoch milliseconds (injected in tests). */
  now?: () => number;
}

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

/** KeyedBackoff tracks one backoff delay per key. */
export class KeyedBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly now: () => number;

  constructor(opts: KeyedBackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 10_000;
    this.maxMs = opts.maxMs ?? 300_000;
    this.now = opts.now ?? Date.now;
  }

  /** next records a new attempt at eventTime: the first delay is initialMs, later ones double up to maxMs. */
  next(key: string, eventTime = this.now()): number {
    const e = this.entries.get(key);
    if (!e || this.expired(e, eventTime)) {
      this.entries.set(key, { delayMs: this.initialMs, lastUpdate: eventTime });
      return this.initialMs;
    }
    e.delayMs = Math.min(e.delayMs * 2, this.maxMs);
    e.lastUpdate = eventTime;
    return e.delayMs;
  }

  /** remainingMs is how long after eventTime key must still wait (0 = not in backoff). */
  remainingMs(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e || this.expired(e, this.now())) return 0;
    return Math.max(0, eventTime + e.delayMs - this.now());
  }

  /** delayMs is the current delay of key (0 if none). */
  delayMs(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** reset forgets key. */
  reset(key: string): void {
    this.entries.delete(key);
  }

  /** gc forgets every key whose prefix matches (a pod's keys when it goes away). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  private expired(e: Entry, at: number): boolean {
    return at - e.lastUpdate > 2 * this.maxMs;
  }
}
