// event.ts: the Event kind (core/v1 events): a report of something that happened to an object.
import { kindSchema, objectReferenceSchema } from '../common-schema.js';
import { FieldPath, invalid, required, tooLong, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { KubeObject } from '../meta.js';
import { int, obj, str } from '../schema.js';
import { nonNegative, oneOf, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import type { ObjectReference } from './pod-types.js';

/** Event records that something happened to involvedObject: reason, message, how often and when. */
export interface Event extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'Event';
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
  count?: number;
  type?: 'Normal' | 'Warning';
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  action?: string;
  related?: ObjectReference;
  reportingComponent?: string;
  reportingInstance?: string;
}

const MAX_REASON = 128;

function validate(ev: Event): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, { namespaced: true });
  const io = new FieldPath('involvedObject');
  if (!ev.involvedObject) errs.push(required(io));
  else if (ev.involvedObject.namespace && ev.involvedObject.namespace !== ev.metadata.namespace) {
    errs.push(invalid(io.child('namespace'), ev.involvedObject.namespace, 'does not match event.namespace'));
  }
  errs.push(...oneOf(ev.type, ['Normal', 'Warning'], new FieldPath('type')));
  errs.push(...nonNegative(ev.count, new FieldPath('count')));
  if ((ev.reason ?? '').length > MAX_REASON) errs.push(tooLong(new FieldPath('reason'), MAX_REASON));
  if ((ev.action ?? '').length > MAX_REASON) errs.push(tooLong(new FieldPath('action'), MAX_REASON));
  if (ev.eventTime) {
    // Events written through the new API carry who reported them.
    if (!ev.reportingComponent) errs.push(required(new FieldPath('reportingComponent')));
    if (!ev.reportingInstance) errs.push(required(new FieldPath('reportingInstance')));
    if (!ev.action) errs.push(required(new FieldPath('action')));
  }
  if (ev.series) {
    if ((ev.series.count ?? 0) < 2) errs.push(invalid(new FieldPath('series').child('count'), ev.series.count ?? 0, 'should be at least 2'));
    if (!ev.series.lastObservedTime) errs.push(required(new FieldPath('series').child('lastObservedTime')));
  }
  return errs;
}

/** eventSelectableFields are the fields Kubernetes lets field selectors use on events. */
export function eventSelectableFields(ev: Event): Record<string, string> {
  const io = ev.involvedObject ?? {};
  return {
    'involvedObject.kind': io.kind ?? '',
    'involvedObject.namespace': io.namespace ?? '',
    'involvedObject.name': io.name ?? '',
    'involvedObject.uid': io.uid ?? '',
    'involvedObject.apiVersion': io.apiVersion ?? '',
    'involvedObject.resourceVersion': io.resourceVersion ?? '',
    'involvedObject.fieldPath': io.fieldPath ?? '',
    reason: ev.reason ?? '',
    reportingComponent: ev.reportingComponent ?? '',
    source: ev.source?.component ?? '',
    type: ev.type ?? '',
  };
}

/** eventKind is the Event's KindInfo. */
export const eventKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Event',
  resource: 'events',
  namespaced: true,
  shortNames: ['ev'],
  schema: kindSchema({
    involvedObject: objectReferenceSchema,
    reason: str(),
    message: str(),
    source: obj({ component: str(), host: str() }),
    firstTimestamp: str(),
    lastTimestamp: str(),
    count: int(),
    type: str(),
    eventTime: str(),
    series: obj({ count: int(), lastObservedTime: str() }),
    action: str(),
    related: objectReferenceSchema,
    reportingComponent: str(),
    reportingInstance: str(),
  }),
  defaults: (obj: KubeObject) => {
    (obj as Event).type ??= 'Normal';
  },
  validate: (obj: KubeObject) => validate(obj as Event),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateObjectMetaUpdate(obj.metadata, old.metadata),
  selectableFields: (obj: KubeObject) => eventSelectableFields(obj as Event),
});
