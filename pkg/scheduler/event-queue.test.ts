import test from 'ava';
import type { Pod } from '../api/core/pod-types.js';
import type { Clock } from '../client/clock.js';
import { FakeClock } from '../client/testing/fake_clock.js';
import { EventQueue } from './event-queue.js';
import type { EventSink } from './scheduler.js';
import { newPod } from './testing/builders.js';

/** recorder is a sink that notes each event with the time its clock reads when the event arrives. */
function recorder(): { make: (clock: Clock) => EventSink; seen: string[]; at: number[]; flushed: number } {
  const r = { seen: [] as string[], at: [] as number[], flushed: 0, make: (_clock: Clock) => ({}) as EventSink };
  r.make = (clock) => ({
    event: (pod: Pod, type, reason) => {
      r.seen.push(`${type} ${reason} ${pod.metadata.name}`);
      r.at.push(clock.now());
    },
    flush: async () => void r.flushed++,
  });
  return r;
}

test('Warnings pass at once; Normal events wait for a tick and keep the time they were recorded', (t) => {
  const clock = new FakeClock();
  const sink = recorder();
  const q = new EventQueue(sink.make, { clock, qps: 20 });
  const t0 = clock.now();
  q.event(newPod('p0'), 'Normal', 'Scheduled', 'ok');
  q.event(newPod('w'), 'Warning', 'FailedScheduling', 'no fit');
  t.deepEqual(sink.seen, ['Warning FailedScheduling w']);
  clock.step(100);
  t.deepEqual(sink.seen, ['Warning FailedScheduling w', 'Normal Scheduled p0']);
  t.deepEqual(sink.at, [t0, t0], 'the Normal event reads the time it was recorded, not the time it was passed on');
  t.is(q.recordingClock.now(), clock.now(), 'outside a hand-over the recording clock is the clock');
});

test('queued events go at qps, only while not busy, and beyond maxQueued are dropped', (t) => {
  const clock = new FakeClock();
  const sink = recorder();
  let busy = true;
  const q = new EventQueue(sink.make, { clock, qps: 20, maxQueued: 5, busy: () => busy });
  for (let i = 0; i < 7; i++) q.event(newPod(`p${i}`), 'Normal', 'Scheduled', 'ok');
  t.is(q.dropped, 2);
  t.is(q.length, 5);
  clock.step(1000);
  t.deepEqual(sink.seen, [], 'nothing goes while busy');
  busy = false;
  clock.step(100);
  t.deepEqual(sink.seen, ['Normal Scheduled p0', 'Normal Scheduled p1'], '20 per second is 2 per 100 ms tick');
  clock.step(200);
  t.deepEqual(sink.seen.slice(2), ['Normal Scheduled p2', 'Normal Scheduled p3', 'Normal Scheduled p4']);
  t.is(q.length, 0);
  t.is(clock.pending, 0, 'no timer is left once the queue is empty');
});

test('flush passes every queued event on, busy or not, then flushes the next sink', async (t) => {
  const clock = new FakeClock();
  const sink = recorder();
  const q = new EventQueue(sink.make, { clock, busy: () => true });
  for (let i = 0; i < 3; i++) {
    q.event(newPod(`p${i}`), 'Normal', 'Scheduled', 'ok');
    clock.step(10);
  }
  await q.flush();
  t.deepEqual(sink.seen, ['Normal Scheduled p0', 'Normal Scheduled p1', 'Normal Scheduled p2']);
  t.deepEqual(sink.at, [clock.now() - 30, clock.now() - 20, clock.now() - 10]);
  t.is(sink.flushed, 1);
  t.is(clock.pending, 0);
});

test('a queued event holds only the reference it needs, not the pod', (t) => {
  const clock = new FakeClock();
  const got: Pod[] = [];
  const q = new EventQueue(() => ({ event: (pod: Pod) => void got.push(pod) }), { clock });
  const pod = newPod('p', { cpu: '1' });
  pod.metadata.resourceVersion = '7';
  q.event(pod, 'Normal', 'Scheduled', 'ok');
  clock.step(100);
  t.deepEqual(got[0].metadata, { namespace: pod.metadata.namespace, name: 'p', uid: pod.metadata.uid, resourceVersion: '7' });
  t.is(got[0].kind, pod.kind);
  t.false('spec' in got[0]);
});
