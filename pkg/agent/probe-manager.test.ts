import test from 'ava';
import type { Container } from '../api/core/pod-types.js';
import { FakeClock, flushPromises } from '../client/testing/fake_clock.js';
import { ProbeManager, type ProbeType } from './probe-manager.js';
import type { ProbeOutcome } from './prober.js';

function setup(results: boolean[] | (() => boolean)) {
  const clock = new FakeClock();
  const changes: [string, ProbeType, boolean][] = [];
  let i = 0;
  const checks: number[] = [];
  const prober = {
    async check(): Promise<ProbeOutcome> {
      checks.push(clock.now());
      const ok = typeof results === 'function' ? results() : (results[i++] ?? results[results.length - 1]!);
      return { success: ok, message: ok ? 'ok' : 'boom' };
    },
  };
  const pm = new ProbeManager({ prober, clock, onChange: (_uid, c, type, result) => changes.push([c, type, result]) });
  return { clock, pm, changes, checks };
}

const target = { containerId: 'c1', netnsPath: '', ports: [] };

test('readiness: false until successThreshold passes, back to false after failureThreshold failures', async (t) => {
  const { clock, pm, changes } = setup([true, true, false, false, true]);
  const c: Container = { name: 'app', readinessProbe: { exec: { command: ['true'] }, initialDelaySeconds: 5, periodSeconds: 10, successThreshold: 2, failureThreshold: 2 } };
  pm.syncPod('u', [{ spec: c, containerId: 'c1', startedAtMs: clock.now(), target }]);
  t.false(pm.ready('u', c, 'c1'));
  await clock.advance(5_000); // first check: success 1 of 2
  t.false(pm.ready('u', c, 'c1'));
  await clock.advance(10_000); // success 2 of 2
  t.true(pm.ready('u', c, 'c1'));
  await clock.advance(10_000); // failure 1 of 2
  t.true(pm.ready('u', c, 'c1'));
  await clock.advance(10_000); // failure 2 of 2
  t.false(pm.ready('u', c, 'c1'));
  t.deepEqual(changes, [['app', 'readiness', true], ['app', 'readiness', false]]);
  pm.stop();
});

test('liveness: alive until failureThreshold failures, then reports the failure and stops probing', async (t) => {
  const { clock, pm, changes, checks } = setup([false]);
  const c: Container = { name: 'app', livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 3 } };
  pm.syncPod('u', [{ spec: c, containerId: 'c1', startedAtMs: clock.now(), target }]);
  t.is(pm.livenessFailure('u', c, 'c1'), undefined);
  await clock.advance(0);
  await clock.advance(1_000);
  t.is(pm.livenessFailure('u', c, 'c1'), undefined);
  await clock.advance(1_000);
  t.regex(pm.livenessFailure('u', c, 'c1') ?? '', /Liveness probe failed: boom/);
  t.deepEqual(changes, [['app', 'liveness', false]]);
  await clock.advance(10_000);
  t.is(checks.length, 3, 'no more checks once failed');
  // A new container (restart) gets a fresh worker.
  pm.syncPod('u', [{ spec: c, containerId: 'c2', startedAtMs: clock.now(), target }]);
  t.is(pm.livenessFailure('u', c, 'c2'), undefined);
  pm.stop();
});

test('startup gates liveness and readiness', async (t) => {
  let healthy = false;
  const { clock, pm } = setup(() => healthy);
  const c: Container = {
    name: 'app',
    startupProbe: { exec: { command: ['x'] }, periodSeconds: 1, failureThreshold: 30 },
    readinessProbe: { exec: { command: ['x'] }, periodSeconds: 1 },
  };
  pm.syncPod('u', [{ spec: c, containerId: 'c1', startedAtMs: clock.now(), target }]);
  for (let i = 0; i < 3; i++) await clock.advance(1_000);
  t.false(pm.started('u', c, 'c1'));
  t.false(pm.ready('u', c, 'c1'));
  healthy = true;
  for (let i = 0; i < 3; i++) await clock.advance(1_000);
  t.true(pm.started('u', c, 'c1'));
  t.true(pm.ready('u', c, 'c1'));
  pm.removePod('u');
  t.is(clock.pending, 0);
  await flushPromises();
});
