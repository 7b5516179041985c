// Package podgc: the pod garbage collector. Every period it deletes (a) the oldest terminated
// pods (Succeeded/Failed) beyond terminatedPodThreshold, (b) pods bound to a node that no
// longer exists (confirmed with a live read, after the node has been missing for a quarantine
// period, since a new node may not be in the cache yet), and (c) terminating pods that were
// never scheduled. (b) and (c) are force deletions: no agent will ever confirm them.
import { isNotFound } from '../../api/errors.js';
import type { Node } from '../../api/core/node.js';
import type { Pod } from '../../api/core/pod-types.js';
import { isPodTerminal } from '../../api/core/pod-helpers.js';
import { sleep } from '../../client/clock.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { waitForCacheSync } from '../../client/informer.js';
import type { Lister } from '../../client/lister.js';
import { Resources } from '../../client/resources.js';
import { type ControllerContext, type ResolvedContext, resolveContext, type Runnable } from '../context.js';

/** PodGCOptions tune the pod garbage collector. */
export interface PodGCOptions {
  /** terminatedPodThreshold: terminated pods kept before the oldest are deleted (default 12500). */
  terminatedPodThreshold?: number;
  /** periodMs between collections (default 20 s). */
  periodMs?: number;
  /** quarantineMs: how long a node must be seen missing before its pods are deleted (default 40 s). */
  quarantineMs?: number;
}

/** PodGC deletes pods nobody else will. */
export class PodGC implements Runnable {
  readonly name = 'podgc';
  private readonly ctx: ResolvedContext;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly nodeInformer: SharedIndexInformer<Node>;
  private readonly pods: Lister<Pod>;
  private readonly nodes: Lister<Node>;
  /** missingSince remembers when a node was first seen missing. */
  private readonly missingSince = new Map<string, number>();

  constructor(
    context: ControllerContext,
    private readonly opts: PodGCOptions = {},
  ) {
    this.ctx = resolveContext(context, this.name);
    this.podInformer = this.ctx.informers.informerFor<Pod>(Resources.pods);
    this.nodeInformer = this.ctx.informers.informerFor<Node>(Resources.nodes);
    this.pods = this.podInformer.lister();
    this.nodes = this.nodeInformer.lister();
  }

  /** run collects every period until signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await waitForCacheSync([this.podInformer, this.nodeInformer], signal))) return;
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (err) {
        this.ctx.logger.warn({ err }, 'pod garbage collection failed');
      }
      await sleep(this.ctx.clock, this.opts.periodMs ?? 20_000, signal);
    }
  }

  /** gc runs one collection and returns the keys of the pods it deleted. */
  async gc(): Promise<string[]> {
    const deleted: string[] = [];
    const all = this.pods.list();
    // (a) terminated pods over the threshold, oldest first.
    const terminated = all.filter(isPodTerminal).sort((a, b) => (Date.parse(a.metadata.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata.creationTimestamp ?? '') || 0));
    const excess = terminated.length - (this.opts.terminatedPodThreshold ?? 12_500);
    for (const pod of terminated.slice(0, Math.max(0, excess))) if (await this.delete(pod, undefined)) deleted.push(key(pod));
    // (b) pods on nodes that are gone.
    const now = this.ctx.clock.now();
    const quarantine = this.opts.quarantineMs ?? 40_000;
    const checked = new Map<string, boolean>();
    for (const pod of all) {
      const nodeName = pod.spec?.nodeName;
      if (!nodeName || this.nodes.get(undefined, nodeName)) continue;
      if (!checked.has(nodeName)) checked.set(nodeName, await this.nodeGone(nodeName, now, quarantine));
      if (checked.get(nodeName) && (await this.delete(pod, 0))) deleted.push(key(pod));
    }
    for (const name of this.missingSince.keys()) if (this.nodes.get(undefined, name)) this.missingSince.delete(name);
    // (c) terminating pods that never got a node.
    for (const pod of all) {
      if (pod.metadata.deletionTimestamp && !pod.spec?.nodeName && (await this.delete(pod, 0))) deleted.push(key(pod));
    }
    if (deleted.length) this.ctx.logger.info({ pods: deleted.slice(0, 20), count: deleted.length }, 'garbage-collected pods');
    return deleted;
  }

  private async nodeGone(name: string, now: number, quarantine: number): Promise<boolean> {
    const since = this.missingSince.get(name) ?? now;
    this.missingSince.set(name, since);
    if (now - since < quarantine) return false;
    try {
      await this.ctx.client.resource(Resources.nodes).get(name);
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  private async delete(pod: Pod, gracePeriodSeconds: number | undefined): Promise<boolean> {
    try {
      await this.ctx.client
        .resource(Resources.pods)
        .namespace(pod.metadata.namespace ?? '')
        .delete(pod.metadata.name ?? '', { gracePeriodSeconds, preconditions: { uid: pod.metadata.uid } });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}

function key(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/** register builds the pod garbage collector. */
export function register(ctx: ControllerContext, opts?: PodGCOptions): PodGC {
  return new PodGC(ctx, opts);
}
