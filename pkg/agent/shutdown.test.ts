import test from 'ava';
import type { Pod, PodStatus } from '../api/core/pod-types.js';
import { silentLogger } from '../client/logger.js';
import {
  isCriticalPod,
  NodeShutdownMessage,
  parseDuration,
  podShutdownGrace,
  ShutdownManager,
  shutdownGroups,
  shutdownStatus,
} from './shutdown.js';
import { ConfigSourceAnnotation } from './static-pods.js';

function pod(name: string, opts: { priority?: number; priorityClassName?: string; grace?: number; phase?: string; static?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, annotations: opts.static ? { [ConfigSourceAnnotation]: 'file' } : undefined },
    spec: { priority: opts.priority, priorityClassName: opts.priorityClassName, terminationGracePeriodSeconds: opts.grace, containers: [{ name: 'c', image: 'x' }] },
    status: { phase: (opts.phase ?? 'Running') as 'Running' },
  } as Pod;
}

test('parseDuration reads Go durations', (t) => {
  for (const [text, ms] of [['0', 0], ['30s', 30_000], ['1m30s', 90_000], ['500ms', 500], ['1.5s', 1500], ['2h', 7_200_000], ['0s', 0]] as const) t.is(parseDuration(text), ms, text);
  for (const bad of ['', '30', 's', '10x', '1m 30s', '-5s']) t.throws(() => parseDuration(bad), undefined, bad);
});

test('isCriticalPod: static pods, mirror pods and system-critical priorities', (t) => {
  const cases = [
    { name: 'regular', pod: pod('a'), want: false },
    { name: 'high user priority', pod: pod('b', { priority: 1_000_000_000 }), want: false },
    { name: 'system-cluster-critical by value', pod: pod('c', { priority: 2_000_000_000 }), want: true },
    { name: 'system-node-critical by name only (static pods skip admission)', pod: pod('d', { priorityClassName: 'system-node-critical' }), want: true },
    { name: 'static pod', pod: pod('e', { static: true }), want: true },
  ];
  for (const c of cases) t.is(isCriticalPod(c.pod), c.want, c.name);
});

test('shutdownGroups: regular pods get grace − critical, critical pods the rest; finished pods are left out', (t) => {
  const pods = [pod('web'), pod('dns', { priorityClassName: 'system-cluster-critical' }), pod('proxy', { priority: 2_000_001_000 }), pod('done', { phase: 'Succeeded' }), pod('failed', { phase: 'Failed' })];
  const groups = shutdownGroups(pods, 30, 10);
  t.deepEqual(
    groups.map((g) => ({ name: g.name, grace: g.graceSeconds, pods: g.pods.map((p) => p.metadata.name) })),
    [
      { name: 'regular', grace: 20, pods: ['web'] },
      { name: 'critical', grace: 10, pods: ['dns', 'proxy'] },
    ],
  );
  t.deepEqual(shutdownGroups(pods, 10, 0).map((g) => g.graceSeconds), [10, 0]);
});

test('podShutdownGrace: the pod\'s own grace when shorter than the group\'s period', (t) => {
  const cases = [
    { name: 'shorter own grace', grace: 5, group: 20, want: 5 },
    { name: 'longer own grace is cut', grace: 60, group: 20, want: 20 },
    { name: 'unset (30 s) is cut', grace: undefined, group: 20, want: 20 },
    { name: 'zero own grace', grace: 0, group: 20, want: 0 },
    { name: 'group of zero', grace: 5, group: 0, want: 0 },
  ];
  for (const c of cases) t.is(podShutdownGrace(pod('p', { grace: c.grace }), c.group), c.want, c.name);
});

test('shutdownStatus: Failed/Terminated with DisruptionTarget, not Ready; Succeeded stays Succeeded', (t) => {
  const running: PodStatus = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }, { type: 'PodScheduled', status: 'True' }] };
  const s = shutdownStatus(running, '2026-01-01T00:00:00Z');
  t.is(s.phase, 'Failed');
  t.is(s.reason, 'Terminated');
  t.is(s.message, NodeShutdownMessage);
  t.is(s.message, 'Pod was terminated in response to imminent node shutdown.');
  t.deepEqual(s.conditions!.map((c) => `${c.type}=${c.status}`), ['Ready=False', 'ContainersReady=False', 'PodScheduled=True', 'DisruptionTarget=True']);
  t.is(s.conditions!.at(-1)!.reason, 'TerminationByKubelet');
  t.is(shutdownStatus({ phase: 'Succeeded' }, 'now').phase, 'Succeeded');
});

test('ShutdownManager: node NotReady first, regular pods, then critical pods; once; later pods not admitted', async (t) => {
  const log: string[] = [];
  const pods = [pod('web', { grace: 5 }), pod('batch'), pod('dns', { priorityClassName: 'system-node-critical', grace: 60 })];
  const m = new ShutdownManager({
    gracePeriodMs: 30_000,
    criticalGracePeriodMs: 10_000,
    pods: () => pods,
    markNodeShuttingDown: async () => void log.push('node NotReady'),
    kill: async (p, grace) => {
      log.push(`kill ${p.metadata.name} ${grace}`);
      await new Promise((r) => setTimeout(r, 10));
      log.push(`done ${p.metadata.name}`);
    },
    sleep: () => new Promise(() => {}),
    logger: silentLogger(),
  });
  t.true(m.enabled);
  t.false(m.shuttingDown);
  t.true(m.admits('anything'));
  const run = m.shutdown();
  t.is(m.shutdown(), run, 'a second trigger joins the first');
  await run;
  t.deepEqual(log, ['node NotReady', 'kill web 5', 'kill batch 20', 'done web', 'done batch', 'kill dns 10', 'done dns']);
  t.true(m.admits('uid-web'));
  t.false(m.admits('uid-new'));
});

test('ShutdownManager: a group that overruns its period does not hold up the next', async (t) => {
  const log: string[] = [];
  let timeouts = 0;
  const m = new ShutdownManager({
    gracePeriodMs: 20_000,
    criticalGracePeriodMs: 10_000,
    pods: () => [pod('stuck'), pod('dns', { priority: 2_000_000_000 })],
    markNodeShuttingDown: async () => {
      throw new Error('API server down');
    },
    kill: (p) => {
      log.push(`kill ${p.metadata.name}`);
      return p.metadata.name === 'stuck' ? new Promise(() => {}) : Promise.resolve();
    },
    sleep: async () => void timeouts++,
    logger: silentLogger(),
  });
  await m.shutdown();
  t.deepEqual(log, ['kill stuck', 'kill dns']);
  t.true(timeouts >= 1);
});

test('ShutdownManager: disabled at 0; the critical period may not exceed the whole', (t) => {
  const base = { pods: () => [], markNodeShuttingDown: async () => {}, kill: async () => {}, logger: silentLogger() };
  t.false(new ShutdownManager({ ...base, gracePeriodMs: 0, criticalGracePeriodMs: 0 }).enabled);
  t.throws(() => new ShutdownManager({ ...base, gracePeriodMs: 10_000, criticalGracePeriodMs: 20_000 }));
});
