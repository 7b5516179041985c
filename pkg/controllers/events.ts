// events.ts: a small Event recorder for controllers. Kubernetes' recorder aggregates repeats
// into one Event with a count; this one does the same per (object, reason, message) for the
// life of the process, and never lets a failed write disturb the controller.
import { randomBytes } from 'node:crypto';
import { isNotFound } from '../api/errors.js';
import { type KubeObject, rfc3339 } from '../api/meta.js';
import type { Clock } from '../client/clock.js';
import type { Logger } from '../client/logger.js';
import { Resources } from '../client/resources.js';
import type { RestClient } from '../client/rest.js';

/** EventType is Normal or Warning. */
export type EventType = 'Normal' | 'Warning';

/** RecordedEvent is what a recorder was asked to record (kept for tests and logs). */
export interface RecordedEvent {
  object: { kind?: string; namespace?: string; name?: string; uid?: string };
  type: EventType;
  reason: string;
  message: string;
}

interface Aggregate {
  name: string;
  namespace: string;
  count: number;
  first: string;
}

/** EventRecorder writes core/v1 Events about objects. */
export class EventRecorder {
  /** recorded lists every event asked for, oldest first (bounded to the last 1000). */
  readonly recorded: RecordedEvent[] = [];
  private readonly seen = new Map<string, Aggregate>();

  constructor(
    private readonly client: RestClient | undefined,
    private readonly opts: { component: string; clock: Clock; logger?: Logger },
  ) {}

  /** event records that something happened to obj; the write happens in the background. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const ref = { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid };
    this.recorded.push({ object: ref, type, reason, message });
    if (this.recorded.length > 1000) this.recorded.shift();
    this.opts.logger?.info({ object: `${ref.namespace ?? ''}/${ref.name}`, kind: ref.kind, type, reason }, message);
    if (!this.client) return;
    void this.write(obj, type, reason, message).catch((err) => this.opts.logger?.debug({ err }, 'writing an event failed'));
  }

  private async write(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const client = this.client as RestClient;
    const namespace = obj.metadata.namespace || 'default';
    const key = `${obj.metadata.uid}|${reason}|${message}`;
    const now = rfc3339(new Date(this.opts.clock.now()));
    const events = client.resource(Resources.events).namespace(namespace);
    const agg = this.seen.get(key);
    if (agg) {
      agg.count++;
      try {
        await events.patch(agg.name, 'merge', { count: agg.count, lastTimestamp: now });
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
    this.seen.set(key, { name, namespace, count: agg?.count ?? 1, first: agg?.first ?? now });
    if (this.seen.size > 4096) this.seen.delete(this.seen.keys().next().value as string);
    await events.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      count: agg?.count ?? 1,
      firstTimestamp: agg?.first ?? now,
      lastTimestamp: now,
      source: { component: this.opts.component },
      reportingComponent: this.opts.component,
    } as KubeObject);
  }
}
