// events.ts: the Events section every describer ends with.
import type { KubeObject } from '../../api/meta.js';
import { humanDuration } from '../../api/duration.js';
import type { DescribeWriter } from './writer.js';

interface EventLike {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  metadata: { creationTimestamp?: string };
}

/**
 * eventsFieldSelector selects the events about an object, as kubectl describe does, except the
 * uid: recorders that leave it out still count, and eventsFor drops another object's by uid.
 */
export function eventsFieldSelector(obj: KubeObject, kind: string): string {
  const parts = [`involvedObject.name=${obj.metadata.name}`, `involvedObject.kind=${kind}`];
  if (obj.metadata.namespace) parts.push(`involvedObject.namespace=${obj.metadata.namespace}`);
  return parts.join(',');
}

/** writeEvents prints the Events table (oldest first), or "Events: <none>". */
export function writeEvents(w: DescribeWriter, events: KubeObject[] | undefined, now: number): void {
  if (events === undefined) return;
  if (events.length === 0) return w.line(0, 'Events:', '<none>');
  const last = (e: EventLike) => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';
  const sorted = [...(events as unknown as EventLike[])].sort((a, b) => last(a).localeCompare(last(b)));
  w.line(0, 'Events:');
  w.line(1, 'Type', 'Reason', 'Age', 'From', 'Message');
  w.line(1, '----', '------', '----', '----', '-------');
  for (const e of sorted) {
    const age = (ts: string | undefined) => (ts ? humanDuration(now - Date.parse(ts)) : '<unknown>');
    const first = e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
    const interval = (e.count ?? 1) > 1 ? `${age(last(e))} (x${e.count} over ${age(first)})` : age(last(e));
    const from = e.source?.component ? `${e.source.component}${e.source.host ? `, ${e.source.host}` : ''}` : (e.reportingComponent ?? '');
    w.line(1, e.type ?? 'Normal', e.reason ?? '', interval, from, (e.message ?? '').trim());
  }
}

/** eventsFor keeps the events about this incarnation of the object (same uid, or none recorded). */
export function eventsFor(obj: KubeObject, events: KubeObject[]): KubeObject[] {
  return events.filter((e) => {
    const uid = (e as { involvedObject?: { uid?: string } }).involvedObject?.uid;
    return !uid || !obj.metadata.uid || uid === obj.metadata.uid;
  });
}
