import test from 'ava';
import { SchedulerCache } from './cache.js';
import { explain, explanationTable } from './explain.js';
import { newPodInfo } from './pod-info.js';
import { newProfile } from './profile.js';
import { newNode, newPod } from './testing/builders.js';
import { whyHandler } from './why-handler.js';

function cluster() {
  const cache = new SchedulerCache();
  cache.addNode(newNode('small', { cpu: '1' }));
  cache.addNode(newNode('tainted', { cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  cache.addNode(newNode('big', { cpu: '8' }));
  cache.addNode(newNode('bigger', { cpu: '16' }));
  return cache;
}

test('explain: rejected nodes name their filter and reason; feasible ones carry scores', (t) => {
  const e = explain(newPod('p', { cpu: '2' }), cluster(), newProfile());
  t.is(e.totalNodes, 4);
  t.is(e.feasibleNodes, 2);
  t.deepEqual(
    e.rows.map((r) => [r.node, r.fits, r.filter]),
    [
      ['bigger', true, undefined],
      ['big', true, undefined],
      ['small', false, 'NodeResourcesFit'],
      ['tainted', false, 'TaintToleration'],
    ],
  );
  t.deepEqual(e.rows[3].reasons, ['node(s) had untolerated taint {dedicated: gpu}']);
  t.true(e.rows[0].total! > e.rows[1].total!);
  t.true('NodeResourcesFit' in e.rows[0].scores!);
  const table = explanationTable(e);
  t.deepEqual(table.columns, ['NODE', 'FITS', 'FILTER', 'REASON', 'SCORES', 'TOTAL']);
  t.is(table.rows[2][3], 'Insufficient cpu');
});

test('explain: a placed pod is judged without itself and its node is marked', (t) => {
  const cache = cluster();
  const pod = newPod('p', { cpu: '1', nodeName: 'small' });
  cache.addPod(newPodInfo(pod));
  const e = explain(pod, cache, newProfile());
  const small = e.rows.find((r) => r.node === 'small')!;
  t.true(small.fits, 'its own request does not count against it');
  t.true(small.current);
  t.is(cache.nodeInfo('small')!.requested.cpuMilli, 1000, 'cache restored');
});

test('whyHandler: 200 with an explanation, 404 for unknown pods, 503 without a scheduler', (t) => {
  const cache = cluster();
  const pod = newPod('p', { cpu: '2' });
  const source = { getPod: (ns: string, name: string) => (ns === 'default' && name === 'p' ? pod : undefined), explain: (p: typeof pod) => explain(p, cache, newProfile()) };
  const ok = whyHandler(source)('default', 'p');
  t.is(ok.code, 200);
  t.is((ok.body as { kind: string }).kind, 'SchedulingExplanation');
  t.is(whyHandler(source)('default', 'nope').code, 404);
  t.is(whyHandler(() => undefined)('default', 'p').code, 503);
});
