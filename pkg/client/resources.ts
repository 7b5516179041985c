// resources.ts: descriptors of the built-in resources Skiff's components use, so they need
// not wait for the scheme to be filled in.
import type { ResourceDescriptor } from './descriptor.js';

const core = (resource: string, kind: string, namespaced = true): ResourceDescriptor => ({ group: '', version: 'v1', resource, kind, namespaced });
const inGroup = (group: string, version: string, resource: string, kind: string, namespaced = true): ResourceDescriptor => ({
  group,
  version,
  resource,
  kind,
  namespaced,
});

/** Resources lists descriptors of the built-in kinds by their plural names. */
export const Resources = {
  pods: core('pods', 'Pod'),
  nodes: core('nodes', 'Node', false),
  namespaces: core('namespaces', 'Namespace', false),
  services: core('services', 'Service'),
  endpoints: core('endpoints', 'Endpoints'),
  configmaps: core('configmaps', 'ConfigMap'),
  secrets: core('secrets', 'Secret'),
  events: core('events', 'Event'),
  serviceaccounts: core('serviceaccounts', 'ServiceAccount'),
  persistentvolumeclaims: core('persistentvolumeclaims', 'PersistentVolumeClaim'),
  deployments: inGroup('apps', 'v1', 'deployments', 'Deployment'),
  replicasets: inGroup('apps', 'v1', 'replicasets', 'ReplicaSet'),
  daemonsets: inGroup('apps', 'v1', 'daemonsets', 'DaemonSet'),
  statefulsets: inGroup('apps', 'v1', 'statefulsets', 'StatefulSet'),
  jobs: inGroup('batch', 'v1', 'jobs', 'Job'),
  cronjobs: inGroup('batch', 'v1', 'cronjobs', 'CronJob'),
  leases: inGroup('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  endpointslices: inGroup('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
} as const satisfies Record<string, ResourceDescriptor>;
