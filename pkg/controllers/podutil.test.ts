import test from 'ava';
import { pickForDeletion } from './podutil.js';
import { newPod } from './testing/builders.js';

test('pickForDeletion takes doubled-up pods first and evens pods out over nodes', (t) => {
  // Five ready pods on each of two nodes, scaled to 2: one must stay on each node.
  const pods = Array.from({ length: 10 }, (_, i) => newPod(`p${i}`, { nodeName: i < 5 ? 'a' : 'b', readySince: 1000 + i, created: 1000 + i }));
  const victims = pickForDeletion(pods, 8);
  const left = pods.filter((p) => !victims.includes(p));
  t.deepEqual(left.map((p) => p.spec.nodeName).sort(), ['a', 'b']);
  // Uneven: 4 on a, 1 on b, delete 2 → both from a.
  const uneven = [...pods.slice(0, 4), pods[5]!];
  t.deepEqual(pickForDeletion(uneven, 2).map((p) => p.spec.nodeName), ['a', 'a']);
});

test('pickForDeletion still prefers unscheduled, pending and not-ready pods over the rank', (t) => {
  const ready = [newPod('r1', { nodeName: 'a', readySince: 1 }), newPod('r2', { nodeName: 'a', readySince: 1 }), newPod('r3', { nodeName: 'a', readySince: 1 })];
  const pending = newPod('pending', { nodeName: 'b' });
  const unscheduled = newPod('unscheduled');
  t.deepEqual(pickForDeletion([...ready, pending, unscheduled], 2).map((p) => p.metadata.name), ['unscheduled', 'pending']);
});
