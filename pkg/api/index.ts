// Package api: the object model shared by every Skiff component (types, schemas, defaults,
// validation, label and field selectors). Importing this module registers every served kind
// in the scheme (see scheme.ts), so `import '../api/index.js'` is all the API server needs.
export * from './meta.js';
export * from './errors.js';
export * from './field.js';
export * from './schema.js';
export * from './scheme.js';
export * from './equality.js';
export * from './quantity.js';
export * from './labels.js';
export * from './fields.js';
export * from './validation.js';
export * from './common-schema.js';
export * from './kind.js';

// core/v1
export * from './core/pod-types.js';
export * from './core/pod-schema.js';
export * from './core/pod-defaults.js';
export * from './core/pod-validation.js';
export * from './core/pod-helpers.js';
export * from './core/pod.js';
export * from './core/namespace.js';
export * from './core/node.js';
export * from './core/service.js';
export * from './core/endpoints.js';
export * from './core/configmap.js';
export * from './core/secret.js';
export * from './core/event.js';
export * from './core/serviceaccount.js';
export * from './core/binding.js';
export * from './core/taints.js';
export * from './core/node-affinity.js';

// apps/v1
export * from './apps/workload.js';
export * from './apps/deployment.js';
export * from './apps/replicaset.js';
export * from './apps/daemonset.js';

// batch/v1
export * from './batch/cron-schedule.js';
export * from './batch/job.js';
export * from './batch/cronjob.js';

// the other groups
export * from './coordination.js';
export * from './discovery.js';
export * from './scheduling.js';
export * from './autoscaling.js';
export * from './policy.js';
