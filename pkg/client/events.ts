// events.ts: the EventRecorder writes core/v1 Events about objects ("Scheduled", "Pulling",
// "BackOff", ...). Like Kubernetes' event correlator it protects etcd: repeats of the same
// event within ten minutes become one Event whose count is patched up, and each object has a
// token bucket (burst 25, one token per five minutes) beyond which its events are dropped.
// Recording never throws and never blocks the caller; failures are logged.
import { isNotFound } from '../api/errors.js';
import { type KubeObject, rfc3339 } from '../api/meta.js';
import { BucketRateLimiter } from './ratelimiter.js';
import { type Clock, realClock } from './clock.js';
import { resourcePath } from './descriptor.js';
import { defaultLogger, type Logger } from './logger.js';
import { Resources } from './resources.js';
import type { RestClient } from './rest.js';

/** EventType is Normal (informational) or Warning (something went wrong). */
export type EventType = 'Normal' | 'Warning';

/** ObjectReference points an Event at the object it is about. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** CoreEvent is a core/v1 Event. */
export interface CoreEvent {
  apiVersion: 'v1';
  kind: 'Event';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: EventType;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  reportingComponent: string;
  reportingInstance: string;
}

/** EventRecorderOptions configure an EventRecorder. */
export interface EventRecorderOptions {
  client: RestClient;
  /** component names the writer: source.component and reportingComponent ("skiff-scheduler"). */
  component: string;
  /** host is source.host and reportingInstance (the node, for the agent). */
  host?: string;
  clock?: Clock;
  logger?: Logger;
  /** burst and refillIntervalMs shape each object's token bucket (default 25, one token per 300 000 ms). */
  burst?: number;
  refillIntervalMs?: number;
  /** aggregationWindowMs is how long after the last repeat an Event is still counted up (default 10 min). */
  aggregationWindowMs?: number;
  /** maxCachedEvents bounds the memory of recent events and buckets (default 4096; the oldest go first). */
  maxCachedEvents?: number;
}

interface Recent {
  name: string;
  namespace: string;
  count: number;
  lastSeen: number;
}

/** EventRecorder records Events for objects; share one per component. */
export class EventRecorder {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly recent = new Map<string, Recent>();
  private readonly buckets = new Map<string, BucketRateLimiter>();
  private writes: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.logger = (opts.logger ?? defaultLogger('events')).child({ component: opts.component });
  }

  /** event records that reason/message happened to obj; it returns at once (see flush). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const ref = referenceTo(obj);
    const objectKey = [ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid].join('/');
    if (!this.allow(objectKey)) {
      this.logger.debug({ object: objectKey, reason }, 'event dropped by the per-object rate limit');
      return;
    }
    const key = [objectKey, type, reason, message].join('\u0000');
    const now = this.clock.now();
    const window = this.opts.aggregationWindowMs ?? 600_000;
    const seen = this.recent.get(key);
    if (seen && now - seen.lastSeen <= window) {
      seen.count++;
      seen.lastSeen = now;
      this.touch(this.recent, key, seen);
      this.enqueue(() => this.patchCount(seen, key, ref, type, reason, message, now));
      return;
    }
    const fresh: Recent = { name: this.eventName(ref.name ?? 'unknown', now), namespace: ref.namespace || 'default', count: 1, lastSeen: now };
    this.touch(this.recent, key, fresh);
    this.enqueue(() => this.create(fresh, ref, type, reason, message, now));
  }

  /** flush resolves when every event recorded so far has been written (or failed). */
  flush(): Promise<void> {
    return this.writes;
  }

  private enqueue(write: () => Promise<void>): void {
    // One write at a time keeps a count patch from overtaking the create it patches.
    this.writes = this.writes.then(write).catch((err) => this.logger.warn({ err }, 'writing an event failed'));
  }

  private async create(entry: Recent, ref: ObjectReference, type: EventType, reason: string, message: string, now: number): Promise<void> {
    const ts = rfc3339(new Date(now));
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: entry.name, namespace: entry.namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: this.opts.host ? { component: this.opts.component, host: this.opts.host } : { component: this.opts.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: entry.count,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
    };
    await this.opts.client.request({ method: 'POST', path: resourcePath(Resources.events, entry.namespace), body: event });
  }

  private async patchCount(entry: Recent, key: string, ref: ObjectReference, type: EventType, reason: string, message: string, now: number): Promise<void> {
    try {
      await this.opts.client.request({
        method: 'PATCH',
        path: resourcePath(Resources.events, entry.namespace, entry.name),
        body: { count: entry.count, lastTimestamp: rfc3339(new Date(now)) },
        contentType: 'application/merge-patch+json',
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // The Event expired or was deleted: start a new one.
      const fresh: Recent = { name: this.eventName(ref.name ?? 'unknown', now), namespace: entry.namespace, count: 1, lastSeen: now };
      this.touch(this.recent, key, fresh);
      await this.create(fresh, ref, type, reason, message, now);
    }
  }

  private allow(objectKey: string): boolean {
    let bucket = this.buckets.get(objectKey);
    if (!bucket) {
      const burst = this.opts.burst ?? 25;
      bucket = new BucketRateLimiter(1000 / (this.opts.refillIntervalMs ?? 300_000), burst, this.clock);
      this.touch(this.buckets, objectKey, bucket);
    }
    if (bucket.when(objectKey) === 0) return true;
    // A dropped event must not run the bucket into debt, or one burst would mute the object for hours.
    bucket.refund();
    return false;
  }

  private eventName(objectName: string, now: number): string {
    // Kubernetes names events "<object>.<hex UnixNano>"; the sequence keeps names unique within a millisecond.
    const unique = BigInt(now) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return `${objectName}.${unique.toString(16)}`;
  }

  private touch<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    const max = this.opts.maxCachedEvents ?? 4096;
    while (map.size > max) map.delete(map.keys().next().value as string);
  }
}

/** referenceTo builds the ObjectReference of an object. */
export function referenceTo(obj: KubeObject): ObjectReference {
  const ref: ObjectReference = {};
  if (obj.kind) ref.kind = obj.kind;
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  if (obj.metadata.name) ref.name = obj.metadata.name;
  if (obj.metadata.uid) ref.uid = obj.metadata.uid;
  if (obj.apiVersion) ref.apiVersion = obj.apiVersion;
  if (obj.metadata.resourceVersion) ref.resourceVersion = obj.metadata.resourceVersion;
  return ref;
}
