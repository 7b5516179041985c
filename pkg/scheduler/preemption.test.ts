import test from 'ava';
import { GenericScheduler } from './algorithm.js';
import { SchedulerCache } from './cache.js';
import { FitError } from './fit-error.js';
import { newPodInfo } from './pod-info.js';
import { findPreemption } from './preemption.js';
import { newProfile } from './profile.js';
import { newNode, newPod, type PodOptions } from './testing/builders.js';

function setup(nodes: ReturnType<typeof newNode>[], pods: { name: string; node: string; opts: PodOptions }[]) {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of pods) cache.addPod(newPodInfo(newPod(p.name, { ...p.opts, nodeName: p.node })));
  const profile = newProfile();
  const algo = new GenericScheduler(profile, cache);
  const preempt = (pod: ReturnType<typeof newPod>) => {
    const info = newPodInfo(pod);
    const err = (() => {
      try {
        algo.schedule(info);
      } catch (e) {
        return e as FitError;
      }
      throw new Error('pod fit without preemption');
    })();
    return findPreemption(info, err.diagnosis, profile, cache);
  };
  return { cache, preempt };
}

test('preemption evicts only the lowest-priority pods needed, on the cheapest node', (t) => {
  const { preempt, cache } = setup(
    [newNode('n1', { cpu: '4' }), newNode('n2', { cpu: '4' })],
    [
      { name: 'n1-low-a', node: 'n1', opts: { cpu: '1', priority: 1 } },
      { name: 'n1-low-b', node: 'n1', opts: { cpu: '1', priority: 1 } },
      { name: 'n1-mid', node: 'n1', opts: { cpu: '2', priority: 50 } },
      { name: 'n2-mid', node: 'n2', opts: { cpu: '2', priority: 50 } },
      { name: 'n2-high', node: 'n2', opts: { cpu: '2', priority: 1000 } },
    ],
  );
  const before = cache.nodeInfo('n1')!.requested.cpuMilli;
  const out = preempt(newPod('important', { cpu: '2', priority: 100 }));
  t.truthy(out.candidate);
  t.is(out.candidate!.nodeName, 'n1');
  t.deepEqual(out.candidate!.victims.map((v) => v.pod.metadata.name).sort(), ['n1-low-a', 'n1-low-b']);
  t.is(cache.nodeInfo('n1')!.requested.cpuMilli, before, 'simulation restored the node');
  t.is(cache.nodeInfo('n1')!.pods.size, 3);
});

test('preemption takes one victim when one is enough', (t) => {
  const { preempt } = setup(
    [newNode('n1', { cpu: '4' })],
    [
      { name: 'a', node: 'n1', opts: { cpu: '1', priority: 1 } },
      { name: 'b', node: 'n1', opts: { cpu: '1', priority: 2 } },
      { name: 'c', node: 'n1', opts: { cpu: '2', priority: 3 } },
    ],
  );
  const out = preempt(newPod('p', { cpu: '1', priority: 10 }));
  t.deepEqual(out.candidate?.victims.map((v) => v.pod.metadata.name), ['a']);
});

test('preemption never evicts equal or higher priority pods', (t) => {
  const { preempt } = setup([newNode('n1', { cpu: '2' })], [{ name: 'peer', node: 'n1', opts: { cpu: '2', priority: 10 } }]);
  const out = preempt(newPod('p', { cpu: '1', priority: 10 }));
  t.is(out.candidate, undefined);
  t.is((out as { message: string }).message, '0/1 nodes are available: 1 No preemption victims found for incoming pod.');
});

test('preemption is not attempted where removing pods cannot help', (t) => {
  const { preempt } = setup(
    [newNode('tainted', { cpu: '8', taints: [{ key: 'k', effect: 'NoSchedule' }] }), newNode('small', { cpu: '1' })],
    [{ name: 'low', node: 'small', opts: { cpu: '500m', priority: 0 } }],
  );
  const out = preempt(newPod('p', { cpu: '2', priority: 100 }));
  t.is((out as { message: string }).message, '0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.');
});
