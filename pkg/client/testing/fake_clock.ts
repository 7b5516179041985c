// fake_clock.ts: a Clock whose time moves only when a test says so.
import type { Clock, TimerHandle } from '../clock.js';

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** FakeClock is a manually advanced Clock for tests; timers fire in time order during step/advance. */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** pending is the number of timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  /** step moves time forward by ms, firing due timers synchronously in order. */
  step(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.nextDue(target);
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
    this.current = target;
  }

  /** advance is step that also lets promise callbacks run after every fired timer. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushPromises();
    for (;;) {
      const due = this.nextDue(target);
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
      await flushPromises();
    }
    this.current = target;
    await flushPromises();
  }

  private nextDue(target: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) {
      if (t.at <= target && (!best || t.at < best.at || (t.at === best.at && t.id < best.id))) best = t;
    }
    return best;
  }
}

/** flushPromises lets every queued promise callback run (one macrotask turn). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
