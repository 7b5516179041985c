// backoff.ts: capped exponential backoff with jitter, shared by the REST client's retries and
// the reflector's reconnects. Jitter spreads clients out so a restarted API server is not hit
// by every watcher at the same instant.

/** BackoffOptions configures a Backoff. */
export interface BackoffOptions {
  /** initialMs is the first delay. */
  initialMs: number;
  /** maxMs caps every delay (jitter included). */
  maxMs: number;
  /** factor multiplies the delay after each step (default 2). */
  factor?: number;
  /** jitter adds up to jitter × delay at random (default 0.1; client-go's reflector uses 1.0). */
  jitter?: number;
  /** random returns a number in [0, 1); injectable for reproducible tests. */
  random?: () => number;
}

/** Backoff hands out growing delays until reset. */
export class Backoff {
  private delay: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly opts: BackoffOptions) {
    this.delay = opts.initialMs;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0.1;
    this.random = opts.random ?? Math.random;
  }

  /** next returns the delay to wait now and grows the following one. */
  next(): number {
    const base = this.delay;
    this.delay = Math.min(this.opts.maxMs, this.delay * this.factor);
    return Math.min(this.opts.maxMs, base + base * this.jitter * this.random());
  }

  /** reset starts over from the initial delay (after a success). */
  reset(): void {
    this.delay = this.opts.initialMs;
  }
}
