// builders.ts: small builders for the objects client tests need.
import type { KubeObject, OwnerReference } from '../../api/meta.js';

/** PodBuilderOptions shape a test pod. */
export interface PodBuilderOptions {
  namespace?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  uid?: string;
  resourceVersion?: string;
  owner?: OwnerReference;
}

/** newPod builds a minimal v1 Pod. */
export function newPod(name: string, opts: PodBuilderOptions = {}): KubeObject {
  const metadata: KubeObject['metadata'] = { name, namespace: opts.namespace ?? 'default' };
  if (opts.labels) metadata.labels = opts.labels;
  if (opts.uid) metadata.uid = opts.uid;
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.owner) metadata.ownerReferences = [opts.owner];
  const spec: Record<string, unknown> = { containers: [{ name: 'app', image: 'busybox' }] };
  if (opts.nodeName) spec.nodeName = opts.nodeName;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** newConfigMap builds a v1 ConfigMap. */
export function newConfigMap(name: string, data: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

/** controllerRef builds a controller ownerReference to a ReplicaSet with the given uid. */
export function controllerRef(uid: string, name = 'rs'): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid, controller: true, blockOwnerDeletion: true };
}
