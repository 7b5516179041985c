// labels.ts: the labels and annotations the agent puts on sandboxes and containers, so that a
// restarted agent can tell from the runtime alone which pod and container spec each belongs to.
import { createHash } from 'node:crypto';
import type { Container } from '../api/core/pod-types.js';

/** PodUIDLabel holds the pod's metadata.uid on sandboxes and containers. */
export const PodUIDLabel = 'io.kubernetes.pod.uid';
/** PodNameLabel holds the pod's name. */
export const PodNameLabel = 'io.kubernetes.pod.name';
/** PodNamespaceLabel holds the pod's namespace. */
export const PodNamespaceLabel = 'io.kubernetes.pod.namespace';
/** ContainerNameLabel holds the container's name in the pod spec. */
export const ContainerNameLabel = 'io.kubernetes.container.name';
/** ContainerTypeLabel is "init" for init containers, "app" otherwise. */
export const ContainerTypeLabel = 'skiff.io/container-type';
/** ContainerHashAnnotation is specHash of the container spec the container was made from. */
export const ContainerHashAnnotation = 'io.kubernetes.container.hash';
/** RestartCountAnnotation is the container's restartCount (its attempt number). */
export const RestartCountAnnotation = 'io.kubernetes.container.restartCount';
/** NetnsAnnotation records the pod network namespace a sandbox joined (for probes after re-adoption). */
export const NetnsAnnotation = 'skiff.io/netns';
/** PodIPAnnotation records the address the network plugin gave the sandbox (status.podIP). */
export const PodIPAnnotation = 'skiff.io/pod-ip';

/** podLabels are the labels shared by a pod's sandbox and containers. */
export function podLabels(pod: { metadata: { uid?: string; name?: string; namespace?: string } }): Record<string, string> {
  return {
    [PodUIDLabel]: pod.metadata.uid ?? '',
    [PodNameLabel]: pod.metadata.name ?? '',
    [PodNamespaceLabel]: pod.metadata.namespace ?? '',
  };
}

/** specHash fingerprints the parts of a container spec whose change needs a new container. */
export function specHash(c: Container): string {
  const relevant = {
    image: c.image,
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    env: c.env,
    envFrom: c.envFrom,
    volumeMounts: c.volumeMounts,
    securityContext: c.securityContext,
    resources: c.resources,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}
