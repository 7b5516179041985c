// enqueue.ts: helpers for event handlers, which only work out which key changed and queue it.
import type { Pod } from '../api/core/pod-types.js';
import { deepEqual } from '../api/equality.js';
import { controllerOf } from '../api/kind.js';
import { type LabelSelector, selectorFromLabelSelector } from '../api/labels.js';
import { type KubeObject, namespacedKey } from '../api/meta.js';
import type { ResourceEventHandler } from '../client/informer.js';
import type { Lister } from '../client/lister.js';
import { DeletedFinalStateUnknown, metaNamespaceKey } from '../client/store.js';
import type { ControllerExpectations } from './expectations.js';

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

/** PodOwnerSource is what ownedPodHandler needs to know of the owning kind. */
export interface PodOwnerSource<O extends KubeObject & { spec: { selector?: LabelSelector } }> {
  /** kind of the owners (apiVersion apps/v1): "ReplicaSet", "DaemonSet". */
  kind: string;
  owners: Lister<O>;
  enqueue: (key: string) => void;
  expectations: ControllerExpectations;
}

/**
 * ownedPodHandler routes pod events to the owners' queue as Kubernetes' ReplicaSet and
 * DaemonSet controllers do: a pod with a controller ref wakes its owner (an added pod observes a
 * creation expectation; a deleted pod, or one whose graceful deletion started, a deletion); an
 * orphan wakes every owner whose selector matches it, so one can adopt it; a pod that changes
 * owner wakes both.
 */
export function ownedPodHandler<O extends KubeObject & { spec: { selector?: LabelSelector } }>(o: PodOwnerSource<O>): ResourceEventHandler<Pod> {
  const ownerKey = (pod: Pod): string | undefined => {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== o.kind || ref.apiVersion !== 'apps/v1') return undefined;
    const owner = o.owners.get(pod.metadata.namespace, ref.name);
    return owner && owner.metadata.uid === ref.uid ? namespacedKey(owner.metadata) : undefined;
  };
  const enqueueMatching = (pod: Pod): void => {
    for (const owner of o.owners.list(pod.metadata.namespace)) {
      if (selectorFromLabelSelector(owner.spec.selector).matches(pod.metadata.labels)) o.enqueue(namespacedKey(owner.metadata));
    }
  };
  const deleted = (pod: Pod): void => {
    const key = ownerKey(pod);
    if (!key) return;
    o.expectations.deletionObserved(key, namespacedKey(pod.metadata));
    o.enqueue(key);
  };
  return {
    onAdd: (pod) => {
      if (pod.metadata.deletionTimestamp) return deleted(pod);
      if (controllerOf(pod)) {
        const key = ownerKey(pod);
        if (!key) return;
        o.expectations.creationObserved(key);
        o.enqueue(key);
        return;
      }
      enqueueMatching(pod);
    },
    onUpdate: (old, pod) => {
      if (pod.metadata.resourceVersion === old.metadata.resourceVersion) return;
      // A graceful deletion started: the pod no longer counts, as if it were gone.
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) deleted(pod);
      const oldKey = ownerKey(old);
      const newKey = ownerKey(pod);
      if (oldKey && oldKey !== newKey) o.enqueue(oldKey);
      if (newKey) o.enqueue(newKey);
      else if (!controllerOf(pod) && (!deepEqual(old.metadata.labels, pod.metadata.labels) || controllerOf(old))) enqueueMatching(pod);
    },
    onDelete: (tomb) => deleted(unwrapTombstone(tomb)),
  };
}
