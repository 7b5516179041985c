// pod-builders.ts: builders of valid pods and pod specs for tests (here and in other packages).
import type { Container, Pod, PodSpec, PodTemplateSpec } from './pod-types.js';

/** newContainer returns a minimal valid container. */
export function newContainer(overrides: Partial<Container> = {}): Container {
  return { name: 'app', image: 'registry.local/app:1.0', ...overrides };
}

/** newPodSpec returns a minimal valid pod spec with one container. */
export function newPodSpec(overrides: Partial<PodSpec> = {}): PodSpec {
  return { containers: [newContainer()], ...overrides };
}

/** newPod returns a minimal valid pod "web" in namespace "default". */
export function newPod(overrides: { name?: string; namespace?: string; labels?: Record<string, string>; spec?: Partial<PodSpec> } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: overrides.name ?? 'web', namespace: overrides.namespace ?? 'default', ...(overrides.labels ? { labels: overrides.labels } : {}) },
    spec: newPodSpec(overrides.spec),
  };
}

/** newPodTemplate returns a template whose labels are {app: "web"} unless given. */
export function newPodTemplate(labels: Record<string, string> = { app: 'web' }, spec: Partial<PodSpec> = {}): PodTemplateSpec {
  return { metadata: { labels }, spec: newPodSpec(spec) };
}
