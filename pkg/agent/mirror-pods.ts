// mirror-pods.ts: the API objects that stand for static pods (kubelet's mirror client). A static
// pod runs whether or not its mirror exists; the mirror only makes it visible through the API
// and carries its status. A mirror that is being deleted or that mirrors an older version of the
// static pod (another hash) is deleted at once and created again; mirrors whose static pod is
// gone are deleted.
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound } from '../api/errors.js';
import type { Pod } from '../api/core/pod-types.js';
import { Resources } from '../client/resources.js';
import type { RestClient } from '../client/rest.js';
import { fullName, isMirrorOf, isMirrorPod, mirrorPodFor } from './static-pods.js';

/** MirrorState is the outcome of ensure: the mirror was there, was made now, or cannot exist yet. */
export type MirrorState = 'present' | 'created' | 'absent';

/** MirrorPodsOptions are the mirror client's collaborators. */
export interface MirrorPodsOptions {
  client: RestClient;
  nodeName: string;
  /** nodeUID is the registered Node's uid (undefined until the API server was reached). */
  nodeUID: () => string | undefined;
  /** cached returns the API pod of that namespace/name from the agent's informer, if any. */
  cached: (namespace: string, name: string) => Pod | undefined;
  logger: Logger;
}

/** MirrorPods creates, replaces and deletes mirror pods. */
export class MirrorPods {
  constructor(private readonly o: MirrorPodsOptions) {}

  private pods(namespace: string) {
    return this.o.client.resource<Pod>(Resources.pods).namespace(namespace);
  }

  /** ensure makes sure the API holds a current mirror of staticPod. */
  async ensure(staticPod: Pod): Promise<MirrorState> {
    const ns = staticPod.metadata.namespace ?? 'default';
    const name = staticPod.metadata.name ?? '';
    const cached = this.o.cached(ns, name);
    if (cached && !isMirrorPod(cached)) {
      this.o.logger.warn({ pod: fullName(staticPod) }, 'an API pod that is not a mirror pod has the static pod\'s name; no mirror pod');
      return 'absent';
    }
    if (cached && isMirrorOf(cached, staticPod) && !cached.metadata.deletionTimestamp) return 'present';
    const nodeUID = this.o.nodeUID();
    if (!nodeUID) return 'absent'; // no Node yet (API server not reached): kubelet skips the mirror too
    if (cached) await this.delete(cached);
    const mirror = mirrorPodFor(staticPod, { name: this.o.nodeName, uid: nodeUID });
    try {
      await this.pods(ns).create(mirror);
      this.o.logger.info({ pod: fullName(staticPod) }, 'mirror pod created');
      return 'created';
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    // The cache was behind: look at what is there.
    const existing = await this.pods(ns).get(name);
    if (!isMirrorPod(existing)) return 'absent';
    if (isMirrorOf(existing, staticPod) && !existing.metadata.deletionTimestamp) return 'present';
    await this.delete(existing);
    await this.pods(ns).create(mirror);
    this.o.logger.info({ pod: fullName(staticPod) }, 'mirror pod replaced');
    return 'created';
  }

  /** delete removes a mirror pod now (grace 0), only if it is still the object given (uid precondition). */
  async delete(mirror: Pod): Promise<void> {
    if (!isMirrorPod(mirror)) return;
    try {
      await this.pods(mirror.metadata.namespace ?? 'default').delete(mirror.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: mirror.metadata.uid } });
      this.o.logger.info({ pod: fullName(mirror), uid: mirror.metadata.uid }, 'mirror pod deleted');
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  /** deleteFor removes the mirror of staticPod if the cache shows one with its hash. */
  async deleteFor(staticPod: Pod): Promise<void> {
    const cached = this.o.cached(staticPod.metadata.namespace ?? 'default', staticPod.metadata.name ?? '');
    if (cached && isMirrorOf(cached, staticPod)) await this.delete(cached);
  }

  /** orphans are the mirror pods on this node whose static pod does not exist (by full name). */
  static orphans(apiPods: Pod[], staticPods: Iterable<Pod>): Pod[] {
    const names = new Set([...staticPods].map(fullName));
    return apiPods.filter((p) => isMirrorPod(p) && !names.has(fullName(p)));
  }
}
