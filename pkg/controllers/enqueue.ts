// enqueue.ts: helpers for event handlers, which only work out which key changed and queue it.
import type { KubeObject } from '../api/meta.js';
import type { ResourceEventHandler } from '../client/informer.js';
import { DeletedFinalStateUnknown, metaNamespaceKey } from '../client/store.js';

/** unwrapTombstone returns the last known object of a delete notification. */
export function unwrapTombstone<T>(obj: T | DeletedFinalStateUnknown<T>): T {
  return obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
}

/** keyHandler queues the key of every added, updated or deleted object. */
export function keyHandler<T extends KubeObject>(add: (key: string) => void): ResourceEventHandler<T> {
  return {
    onAdd: (obj) => add(metaNamespaceKey(obj)),
    onUpdate: (_old, obj) => add(metaNamespaceKey(obj)),
    onDelete: (obj) => add(metaNamespaceKey(unwrapTombstone(obj))),
  };
}
