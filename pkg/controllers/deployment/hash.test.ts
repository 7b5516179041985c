import test from 'ava';
import type { PodTemplateSpec } from '../../api/core/pod-types.js';
import { computeHash, equalIgnoreHash } from './hash.js';

const template = (): PodTemplateSpec => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'x:1' }] } });

test('equalIgnoreHash ignores the pod-template-hash label and Go-style empty fields', (t) => {
  const a = template();
  const b = template() as PodTemplateSpec & { metadata: NonNullable<PodTemplateSpec['metadata']> };
  b.metadata.labels = { app: 'web', 'pod-template-hash': 'abc' };
  (b.metadata as Record<string, unknown>).creationTimestamp = null;
  (b.spec.containers[0] as unknown as Record<string, unknown>).resources = {};
  t.true(equalIgnoreHash(a, b));
  const c = template();
  c.spec.containers[0].image = 'x:2';
  t.false(equalIgnoreHash(a, c));
});

test('computeHash is stable, ignores key order, and changes with the template or collision count', (t) => {
  const a = template();
  const reordered: PodTemplateSpec = { spec: { containers: [{ image: 'x:1', name: 'app' }] }, metadata: { labels: { app: 'web' } } };
  t.is(computeHash(a), computeHash(reordered));
  t.regex(computeHash(a), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  const b = template();
  b.spec.containers[0].image = 'x:2';
  t.not(computeHash(a), computeHash(b));
  t.not(computeHash(a), computeHash(a, 1));
});
