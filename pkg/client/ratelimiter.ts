// ratelimiter.ts: how long a work queue waits before retrying a key, as client-go's
// workqueue rate limiters: per-key exponential backoff, an overall token bucket, and the
// maximum of both (DefaultControllerRateLimiter).
import { type Clock, realClock } from './clock.js';

/** RateLimiter decides retry delays per key. */
export interface RateLimiter {
  /** when returns how many ms to wait before the key's next try, and counts the try. */
  when(key: string): number;
  /** forget clears the key's failure history (after a success). */
  forget(key: string): void;
  /** numRequeues is how many times the key has been retried since it was last forgotten. */
  numRequeues(key: string): number;
}

/** ItemExponentialFailureRateLimiter waits baseMs × 2^failures for a key, capped at maxMs. */
export class ItemExponentialFailureRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1000_000,
  ) {}

  when(key: string): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** exp);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** BucketRateLimiter is an overall token bucket: qps tokens per second, at most burst saved up. */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly clock: Clock = realClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** when reserves a token; a negative balance is paid back by waiting (like golang's rate.Reserve). */
  when(_key: string): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** refund returns the token the last when() took (for callers that drop instead of waiting). */
  refund(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}

/** MaxOfRateLimiter waits as long as the slowest of its limiters says. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    return Math.max(0, ...this.limiters.map((l) => l.numRequeues(key)));
  }
}

/** defaultControllerRateLimiter: per-key 5 ms doubling to 1000 s, and overall 10 qps with burst 100. */
export function defaultControllerRateLimiter(clock: Clock = realClock): RateLimiter {
  return new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(5, 1000_000), new BucketRateLimiter(10, 100, clock));
}
