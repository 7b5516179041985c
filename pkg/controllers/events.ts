// events.ts: the controllers' Event recorder: the client's EventRecorder (aggregation of repeats
// into one counted Event, a per-object rate limit, writes in the background) plus a log line per
// event and, for tests, the list of what was recorded. Without a client it only records.
import type { KubeObject } from '../api/meta.js';
import type { Clock } from '../client/clock.js';
import { EventRecorder as ClientEventRecorder, type EventType } from '../client/events.js';
import type { Logger } from '../client/logger.js';
import type { RestClient } from '../client/rest.js';

export type { EventType } from '../client/events.js';

/** RecordedEvent is what a recorder was asked to record (kept for tests and logs). */
export interface RecordedEvent {
  object: { kind?: string; namespace?: string; name?: string; uid?: string };
  type: EventType;
  reason: string;
  message: string;
}

/** EventRecorder writes core/v1 Events about objects. */
export class EventRecorder {
  /** recorded lists every event asked for, oldest first (bounded to the last 1000). */
  readonly recorded: RecordedEvent[] = [];
  private readonly writer?: ClientEventRecorder;

  constructor(
    client: RestClient | undefined,
    private readonly opts: { component: string; clock: Clock; logger?: Logger },
  ) {
    if (client) this.writer = new ClientEventRecorder({ client, component: opts.component, clock: opts.clock, logger: opts.logger });
  }

  /** event records that something happened to obj; the write happens in the background. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const ref = { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid };
    this.recorded.push({ object: ref, type, reason, message });
    if (this.recorded.length > 1000) this.recorded.shift();
    this.opts.logger?.info({ object: `${ref.namespace ?? ''}/${ref.name}`, kind: ref.kind, type, reason }, message);
    this.writer?.event(obj, type, reason, message);
  }

  /** flush resolves when every event recorded so far has been written (or failed). */
  flush(): Promise<void> {
    return this.writer?.flush() ?? Promise.resolve();
  }
}
