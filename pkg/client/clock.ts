// clock.ts: time as a dependency. Everything in pkg/client that waits or measures time takes a
// Clock, so tests can drive time with FakeClock instead of sleeping.

/** TimerHandle identifies a timer created by a Clock. */
export type TimerHandle = unknown;

/** Clock tells the time and schedules callbacks. */
export interface Clock {
  /** now returns milliseconds since the epoch. */
  now(): number;
  /** setTimeout calls fn once after ms milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** clearTimeout cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** realClock is the wall clock backed by Node's timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** sleep resolves after ms on the given clock, or early (without error) when signal aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      resolve();
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
