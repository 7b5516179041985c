// binder.ts: the scheduler's only writes, all through the API server: binding a pod to a node
// (the pods/binding subresource, as Kubernetes), marking a pod unschedulable (its PodScheduled
// condition), and, for preemption, nominating a node and deleting victims.
import type { Pod } from '../api/core/pod-types.js';
import { rfc3339 } from '../api/meta.js';
import { Resources } from '../client/resources.js';
import type { RestClient } from '../client/rest.js';

/** Binder writes scheduling decisions. */
export interface Binder {
  /** bind assigns the pod to the node (409 Conflict if it is already bound). */
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** markUnschedulable sets PodScheduled=False, reason Unschedulable, with the message. */
  markUnschedulable(pod: Pod, message: string): Promise<void>;
  /** nominate records status.nominatedNodeName ('' clears it). */
  nominate(pod: Pod, nodeName: string): Promise<void>;
  /** evict deletes a preemption victim (with its grace period). */
  evict(victim: Pod): Promise<void>;
}

/** ApiBinder is the Binder that talks to the API server. */
export class ApiBinder implements Binder {
  constructor(
    private readonly client: RestClient,
    private readonly now: () => number = Date.now,
  ) {}

  async bind(pod: Pod, nodeName: string): Promise<void> {
    const pods = this.client.resource<Pod>(Resources.pods).namespace(pod.metadata.namespace ?? 'default');
    await pods.bind(pod.metadata.name as string, nodeName, { uid: pod.metadata.uid });
  }

  async markUnschedulable(pod: Pod, message: string): Promise<void> {
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const condition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : rfc3339(new Date(this.now())),
    };
    const pods = this.client.resource<Pod>(Resources.pods).namespace(pod.metadata.namespace ?? 'default');
    await pods.patch(pod.metadata.name as string, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' });
  }

  async nominate(pod: Pod, nodeName: string): Promise<void> {
    if ((pod.status?.nominatedNodeName ?? '') === nodeName) return;
    const pods = this.client.resource<Pod>(Resources.pods).namespace(pod.metadata.namespace ?? 'default');
    await pods.patch(pod.metadata.name as string, 'merge', { status: { nominatedNodeName: nodeName || null } }, { subresource: 'status' });
  }

  async evict(victim: Pod): Promise<void> {
    const pods = this.client.resource<Pod>(Resources.pods).namespace(victim.metadata.namespace ?? 'default');
    await pods.delete(victim.metadata.name as string, { preconditions: { uid: victim.metadata.uid } });
  }
}
