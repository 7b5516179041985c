// pod.ts: registers the Pod kind (core/v1 pods).
import { defineKind } from '../kind.js';
import type { KubeObject } from '../meta.js';
import { defaultPod } from './pod-defaults.js';
import { podSchema } from './pod-schema.js';
import type { Pod } from './pod-types.js';
import { validatePod, validatePodUpdate } from './pod-validation.js';

/** podSelectableFields are the fields Kubernetes lets field selectors use on pods. */
export function podSelectableFields(pod: Pod): Record<string, string> {
  return {
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
    'spec.schedulerName': pod.spec?.schedulerName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
    'status.phase': pod.status?.phase ?? '',
    'status.podIP': pod.status?.podIP ?? '',
    'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
  };
}

/** podKind is the Pod's KindInfo. */
export const podKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Pod',
  resource: 'pods',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'ephemeralcontainers'],
  hasStatus: true,
  schema: podSchema,
  defaults: (obj: KubeObject) => defaultPod(obj as Pod),
  validate: (obj: KubeObject) => validatePod(obj as Pod),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validatePodUpdate(obj as Pod, old as Pod),
  selectableFields: (obj: KubeObject) => podSelectableFields(obj as Pod),
});
