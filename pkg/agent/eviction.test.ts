import test from 'ava';
import type { Pod } from '../api/core/pod-types.js';
import { crossedSignal, EvictionManager, rankForEviction } from './eviction.js';
import type { Pressure } from './machine.js';

const Mi = 1024 * 1024;
const calm: Pressure = { memoryAvailableBytes: 2048 * Mi, diskAvailableBytes: 50, diskCapacityBytes: 100, pids: 10, pidMax: 1000 };

function pod(name: string, opts: { requests?: Record<string, string>; limits?: Record<string, string>; priority?: number; started?: string; phase?: string } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { priority: opts.priority, containers: [{ name: 'c', image: 'x', resources: { requests: opts.requests, limits: opts.limits } }] },
    status: { phase: (opts.phase ?? 'Running') as 'Running', startTime: opts.started ?? '2026-01-01T00:00:00Z' },
  } as Pod;
}

test('crossedSignal: memory below 100Mi, then disk below 10%, else nothing', (t) => {
  t.is(crossedSignal(calm), undefined);
  t.is(crossedSignal({ ...calm, memoryAvailableBytes: 50 * Mi })?.resource, 'memory');
  t.regex(crossedSignal({ ...calm, memoryAvailableBytes: 50 * Mi })!.message, /^The node was low on resource: memory\./);
  t.is(crossedSignal({ ...calm, diskAvailableBytes: 5 })?.resource, 'ephemeral-storage');
  t.is(crossedSignal({ ...calm, memoryAvailableBytes: 10 * Mi }, { memoryAvailableBytes: 5 * Mi, nodefsAvailableFraction: 0.1 }), undefined);
});

test('rankForEviction: BestEffort, then Burstable, then Guaranteed; lower priority, then newest first; terminal pods skipped', (t) => {
  const guaranteed = pod('guaranteed', { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } });
  const burstable = pod('burstable', { requests: { cpu: '100m' } });
  const bestOld = pod('best-old', { started: '2026-01-01T00:00:00Z' });
  const bestNew = pod('best-new', { started: '2026-01-02T00:00:00Z' });
  const bestImportant = pod('best-important', { priority: 1000 });
  const done = pod('done', { phase: 'Succeeded' });
  t.deepEqual(rankForEviction([guaranteed, burstable, bestOld, bestImportant, bestNew, done]).map((p) => p.metadata.name), ['best-new', 'best-old', 'best-important', 'burstable', 'guaranteed']);
});

test('EvictionManager evicts one pod per pass while a threshold is crossed, never the same twice', async (t) => {
  let pressure = calm;
  const evicted: string[] = [];
  const pods = [pod('a', { requests: { cpu: '1' } }), pod('b')];
  const m = new EvictionManager({ pressure: async () => pressure, pods: () => pods, evict: (p) => evicted.push(p.metadata.name!) });
  t.is(await m.check(), undefined);
  pressure = { ...calm, memoryAvailableBytes: 1 * Mi };
  t.is((await m.check())?.metadata.name, 'b');
  t.regex(m.message('uid-b')!, /memory/);
  t.is((await m.check())?.metadata.name, 'a');
  t.is(await m.check(), undefined);
  t.deepEqual(evicted, ['b', 'a']);
  m.forget('uid-b');
  t.is(m.message('uid-b'), undefined);
});
