// event-spam-filter.ts: keeps the scheduler's "Scheduled" events from doubling the API server's
// write load when thousands of pods are bound at once. Every binding would otherwise be followed
// by an Event create of the same cost; like client-go's event spam filter (a token bucket whose
// overflow is dropped, not queued), Normal events beyond a burst are dropped and only counted.
// Warning events (FailedScheduling, binding rejected) always pass: they are rarer and are what
// users look for. A dropped Scheduled event loses nothing the pod does not already say: its
// PodScheduled=True condition carries the time and spec.nodeName the node.
import type { Pod } from '../api/core/pod-types.js';
import { type Clock, realClock } from '../client/clock.js';
import { BucketRateLimiter } from '../client/ratelimiter.js';
import type { EventSink } from './scheduler.js';

/** EventSpamFilterOptions shape the Normal-event token bucket. */
export interface EventSpamFilterOptions {
  /** burst is how many Normal events pass at once (default 100). */
  burst?: number;
  /** qps is how many Normal events per second pass after the burst (default 10). */
  qps?: number;
  clock?: Clock;
}

/** EventSpamFilter is an EventSink that drops Normal events beyond a token bucket and passes the rest on. */
export class EventSpamFilter implements EventSink {
  private readonly bucket: BucketRateLimiter;
  /** dropped counts Normal events dropped so far. */
  dropped = 0;

  constructor(
    private readonly next: EventSink,
    opts: EventSpamFilterOptions = {},
  ) {
    this.bucket = new BucketRateLimiter(opts.qps ?? 10, opts.burst ?? 100, opts.clock ?? realClock);
  }

  event(obj: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (type === 'Normal' && this.bucket.when('') !== 0) {
      // Dropping must not run the bucket into debt, or one burst would mute it for long.
      this.bucket.refund();
      this.dropped++;
      return;
    }
    this.next.event(obj, type, reason, message);
  }

  flush(): Promise<void> {
    return this.next.flush?.() ?? Promise.resolve();
  }
}
