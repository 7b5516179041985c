import test from 'ava';
import type { Toleration } from '../../api/core/pod-types.js';
import { clusterOf, filterResults, scoreResults } from '../testing/harness.js';
import { newNode, newPod } from '../testing/builders.js';
import { taintTolerationFilter, taintTolerationScore } from './taint-toleration.js';

const nodes = [
  newNode('plain'),
  newNode('gpu', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
  newNode('draining', { taints: [{ key: 'drain', effect: 'NoExecute' }] }),
  newNode('soft', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }),
];

const cases: { name: string; tolerations?: Toleration[]; want: Record<string, string | undefined> }[] = [
  {
    name: 'no tolerations',
    want: { plain: undefined, gpu: 'node(s) had untolerated taint {dedicated: gpu}', draining: 'node(s) had untolerated taint {drain: }', soft: undefined },
  },
  {
    name: 'tolerates the gpu taint',
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    want: { plain: undefined, gpu: undefined, draining: 'node(s) had untolerated taint {drain: }', soft: undefined },
  },
  {
    name: 'NoSchedule toleration does not cover NoExecute',
    tolerations: [{ key: 'drain', operator: 'Exists', effect: 'NoSchedule' }],
    want: { plain: undefined, gpu: 'node(s) had untolerated taint {dedicated: gpu}', draining: 'node(s) had untolerated taint {drain: }', soft: undefined },
  },
  { name: 'tolerates everything', tolerations: [{ operator: 'Exists' }], want: { plain: undefined, gpu: undefined, draining: undefined, soft: undefined } },
];

for (const c of cases) {
  test(`TaintToleration filter: ${c.name}`, (t) => {
    const got = filterResults(taintTolerationFilter, newPod('p', { tolerations: c.tolerations }), clusterOf(nodes));
    t.deepEqual(got, c.want);
  });
}

test('TaintToleration score: untolerated PreferNoSchedule taints lower the score', (t) => {
  const cache = clusterOf([newNode('plain'), newNode('soft', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] })]);
  t.deepEqual(scoreResults(taintTolerationScore, newPod('p'), cache), { plain: 100, soft: 0 });
  t.deepEqual(scoreResults(taintTolerationScore, newPod('p', { tolerations: [{ key: 'spot', operator: 'Exists' }] }), cache), { plain: 100, soft: 100 });
});
