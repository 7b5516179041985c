// refmanager.ts: adoption and release of objects by a controller (client-go's
// ControllerRefManager). An orphan that matches the owner's selector is adopted (gets a
// controller ownerReference); an owned object that stops matching is released. Both writes
// carry the resourceVersion read, and adoption first re-reads the owner to be sure it still
// exists and is not being deleted, so a stale cache never adopts into a dying owner.
import { isNotFound } from '../api/errors.js';
import { controllerOf } from '../api/kind.js';
import type { KubeObject, OwnerReference } from '../api/meta.js';
import type { ResourceClient } from '../client/resource.js';
import type { LabelMatcher } from '../client/selector.js';

/** ClaimOptions say how to claim objects for an owner. */
export interface ClaimOptions<T extends KubeObject> {
  owner: KubeObject;
  controllerRef: OwnerReference;
  matches: LabelMatcher;
  /** client writes the claimed objects (bound to the owner's namespace). */
  client: ResourceClient<T>;
  /** freshOwner re-reads the owner from the API server before the first adoption. */
  freshOwner: () => Promise<KubeObject | undefined>;
  /** filter skips candidates entirely (e.g. inactive pods for adoption). */
  adoptable?: (obj: T) => boolean;
}

/**
 * claimObjects returns the candidates the owner controls after adopting matching orphans and
 * releasing owned objects that no longer match.
 */
export async function claimObjects<T extends KubeObject>(candidates: T[], opts: ClaimOptions<T>): Promise<T[]> {
  const { owner, matches } = opts;
  const uid = owner.metadata.uid;
  const claimed: T[] = [];
  let canAdopt: boolean | undefined;
  for (const obj of candidates) {
    const ref = controllerOf(obj);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches(obj.metadata.labels)) {
        claimed.push(obj);
        continue;
      }
      if (owner.metadata.deletionTimestamp) continue;
      await release(obj, uid ?? '', opts.client);
      continue;
    }
    if (!matches(obj.metadata.labels) || owner.metadata.deletionTimestamp || obj.metadata.deletionTimestamp) continue;
    if (opts.adoptable && !opts.adoptable(obj)) continue;
    if (canAdopt === undefined) {
      const fresh = await opts.freshOwner();
      canAdopt = fresh !== undefined && fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp;
    }
    if (!canAdopt) continue;
    const adopted = await adopt(obj, opts.controllerRef, opts.client);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

async function adopt<T extends KubeObject>(obj: T, controllerRef: OwnerReference, client: ResourceClient<T>): Promise<T | undefined> {
  const refs = [...(obj.metadata.ownerReferences ?? []), controllerRef];
  try {
    return await client.patch(obj.metadata.name ?? '', 'merge', { metadata: { ownerReferences: refs, resourceVersion: obj.metadata.resourceVersion } });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function release<T extends KubeObject>(obj: T, uid: string, client: ResourceClient<T>): Promise<void> {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
  try {
    await client.patch(obj.metadata.name ?? '', 'merge', { metadata: { ownerReferences: refs, resourceVersion: obj.metadata.resourceVersion } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
