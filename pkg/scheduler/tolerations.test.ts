import test from 'ava';
import type { Taint } from '../api/core/node.js';
import type { Toleration } from '../api/core/pod-types.js';
import { firstUntolerated, formatTaint, toleratesTaint } from './tolerations.js';

const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

const cases: { name: string; tol: Toleration; want: boolean }[] = [
  { name: 'Equal with same value', tol: { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, want: true },
  { name: 'default operator is Equal', tol: { key: 'dedicated', value: 'gpu' }, want: true },
  { name: 'Equal with another value', tol: { key: 'dedicated', value: 'cpu' }, want: false },
  { name: 'Exists on the key', tol: { key: 'dedicated', operator: 'Exists' }, want: true },
  { name: 'Exists with no key tolerates everything', tol: { operator: 'Exists' }, want: true },
  { name: 'other effect', tol: { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, want: false },
  { name: 'other key', tol: { key: 'special', operator: 'Exists' }, want: false },
  { name: 'Equal with no key tolerates nothing', tol: { value: 'gpu' }, want: false },
];

for (const c of cases) {
  test(`toleratesTaint: ${c.name}`, (t) => {
    t.is(toleratesTaint(c.tol, taint), c.want);
  });
}

test('firstUntolerated skips effects not asked for and tolerated taints', (t) => {
  const taints: Taint[] = [
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
    { key: 'evict', effect: 'NoExecute' },
  ];
  const hard = (e: Taint['effect']) => e === 'NoSchedule' || e === 'NoExecute';
  t.is(firstUntolerated(taints, [], hard)?.key, 'dedicated');
  t.is(firstUntolerated(taints, [{ key: 'dedicated', operator: 'Exists' }], hard)?.key, 'evict');
  t.is(firstUntolerated(taints, [{ operator: 'Exists' }], hard), undefined);
});

test('formatTaint prints key and value', (t) => {
  t.is(formatTaint(taint), '{dedicated: gpu}');
  t.is(formatTaint({ key: 'k', effect: 'NoSchedule' }), '{k: }');
});
