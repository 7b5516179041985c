// handlers.ts: event handlers shared by the endpoint controllers. They only work out which
// Services a change concerns and queue their keys.
import type { Pod } from '../../api/core/pod-types.js';
import type { Service } from '../../api/core/service.js';
import { namespacedKey } from '../../api/meta.js';
import type { ResourceEventHandler } from '../../client/informer.js';
import type { Lister } from '../../client/lister.js';
import { unwrapTombstone } from '../../controllers/enqueue.js';
import { servicesForPod } from './pods.js';

/** podHandler queues every Service that selects the pod before or after the change. */
export function podHandler(services: Lister<Service>, add: (key: string) => void): ResourceEventHandler<Pod> {
  const enqueue = (pod: Pod) => {
    for (const s of servicesForPod(pod, services.list(pod.metadata.namespace))) add(namespacedKey(s.metadata));
  };
  return {
    onAdd: enqueue,
    onUpdate: (old, pod) => {
      if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
      enqueue(pod);
      if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) enqueue(old);
    },
    onDelete: (tomb) => enqueue(unwrapTombstone(tomb)),
  };
}
