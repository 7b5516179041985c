import test from 'ava';
import type { ReplicaSet } from '../../api/apps/replicaset.js';
import { newDeployment, newReplicaSet } from '../testing/builders.js';
import { MAX_REPLICAS_ANNOTATION } from './annotations.js';
import { maxSurge, maxUnavailable, newRSNewReplicas, proportion, resolveFenceposts } from './replicas.js';

const fenceposts = [
  { name: 'percentages round surge up and unavailable down', surge: '25%', unavailable: '25%', desired: 10, want: { surge: 3, unavailable: 2 } },
  { name: 'numbers pass through', surge: 2, unavailable: 1, desired: 10, want: { surge: 2, unavailable: 1 } },
  { name: 'both zero after rounding means one unavailable', surge: '0%', unavailable: '10%', desired: 5, want: { surge: 0, unavailable: 1 } },
  { name: '100% surge', surge: '100%', unavailable: 0, desired: 3, want: { surge: 3, unavailable: 0 } },
];
for (const c of fenceposts) {
  test(`resolveFenceposts: ${c.name}`, (t) => {
    t.deepEqual(resolveFenceposts(c.surge, c.unavailable, c.desired), c.want);
  });
}

test('maxUnavailable is capped at replicas and zero for Recreate', (t) => {
  const d = newDeployment('web', 2);
  d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 5 } };
  t.is(maxUnavailable(d), 2);
  d.spec.strategy = { type: 'Recreate' };
  t.is(maxUnavailable(d), 0);
  t.is(maxSurge(d), 0);
});

function rsWith(name: string, spec: number, status = spec): ReplicaSet {
  const rs = newReplicaSet(name, spec);
  rs.status = { replicas: status, availableReplicas: status };
  return rs;
}

test('the new ReplicaSet grows only within replicas + maxSurge, counting pods not yet deleted', (t) => {
  const d = newDeployment('web', 10);
  d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } };
  const old = rsWith('old', 10);
  const fresh = rsWith('new', 0);
  t.is(newRSNewReplicas(d, [old, fresh], fresh), 2);
  // The old ReplicaSet was scaled to 9 but still has 10 pods: no room yet.
  const shrinking = rsWith('old', 9, 10);
  const two = rsWith('new', 2);
  t.is(newRSNewReplicas(d, [shrinking, two], two), 2);
  t.is(newRSNewReplicas(d, [rsWith('old', 9), two], two), 3);
});

test('proportion splits a scale-up by the ReplicaSets\' sizes at the last scale', (t) => {
  const d = newDeployment('web', 20);
  d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };
  const a = rsWith('a', 8);
  const b = rsWith('b', 5);
  for (const rs of [a, b]) rs.metadata.annotations = { [MAX_REPLICAS_ANNOTATION]: '13' };
  // From 10+3 to 20+3: 23/13 of each.
  const pa = proportion(a, d, 10, 0);
  const pb = proportion(b, d, 10, pa);
  t.is(pa, 6);
  t.is(pb, 4);
});
