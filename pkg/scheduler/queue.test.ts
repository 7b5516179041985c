import test from 'ava';
import { FakeClock } from '../client/testing/fake_clock.js';
import { newPodInfo } from './pod-info.js';
import { SchedulingQueue } from './queue.js';
import { newPod } from './testing/builders.js';

function setup() {
  const clock = new FakeClock();
  const queue = new SchedulingQueue({ clock });
  return { clock, queue };
}

const info = (name: string, priority = 0) => newPodInfo(newPod(name, { priority }));

test('activeQ pops by priority, then age', (t) => {
  const { queue, clock } = setup();
  queue.add(info('old-low', 0));
  clock.step(10);
  queue.add(info('high', 100));
  clock.step(10);
  queue.add(info('new-low', 0));
  queue.add(info('mid', 50));
  const order = [1, 2, 3, 4].map(() => queue.tryPop()?.podInfo.pod.metadata.name);
  t.deepEqual(order, ['high', 'mid', 'old-low', 'new-low']);
  t.is(queue.tryPop(), undefined);
});

test('pop waits for a pod and resolves undefined on close', async (t) => {
  const { queue } = setup();
  const waiting = queue.pop();
  queue.add(info('a'));
  t.is((await waiting)?.podInfo.key, 'default/a');
  const pending = queue.pop();
  queue.close();
  t.is(await pending, undefined);
});

test('backoff: 1 s doubling to 10 s', (t) => {
  const { queue } = setup();
  t.deepEqual([1, 2, 3, 4, 5, 6].map((n) => queue.backoffDuration(n)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
});

test('a failed pod returns from backoff after its backoff time', (t) => {
  const { queue, clock } = setup();
  queue.add(info('a'));
  const q = queue.tryPop()!;
  queue.requeueWithBackoff(q);
  t.deepEqual(queue.lengths(), { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
  clock.step(999);
  t.is(queue.tryPop(), undefined);
  clock.step(1);
  const again = queue.tryPop()!;
  t.is(again.attempts, 2);
  queue.requeueWithBackoff(again);
  clock.step(1999);
  t.is(queue.tryPop(), undefined);
  clock.step(1);
  t.truthy(queue.tryPop());
});

test('unschedulable pods wait for a helpful event', (t) => {
  const { queue, clock } = setup();
  queue.add(info('cpu'));
  queue.add(info('affinity'));
  const a = queue.tryPop()!;
  const b = queue.tryPop()!;
  queue.addUnschedulable(a, new Set(['NodeResourcesFit']));
  queue.addUnschedulable(b, new Set(['InterPodAffinity']));
  clock.step(60_000);
  t.is(queue.tryPop(), undefined, 'no event, no retry');
  t.is(queue.moveAllToActiveOrBackoff({ name: 'AssignedPodAdd', plugins: new Set(['InterPodAffinity']) }), 1);
  t.is(queue.tryPop()?.podInfo.key, 'default/affinity');
  t.is(queue.moveAllToActiveOrBackoff({ name: 'NodeAdd' }), 1);
  t.is(queue.tryPop()?.podInfo.key, 'default/cpu');
});

test('a moved pod still backing off goes to backoffQ first', (t) => {
  const { queue, clock } = setup();
  queue.add(info('a'));
  queue.addUnschedulable(queue.tryPop()!, new Set(['NodeResourcesFit']));
  queue.moveAllToActiveOrBackoff({ name: 'NodeAdd' });
  t.deepEqual(queue.lengths(), { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
  clock.step(1000);
  t.truthy(queue.tryPop());
});

test('an event during the attempt sends the failed pod to backoff, not to parking', (t) => {
  const { queue, clock } = setup();
  queue.add(info('a'));
  const q = queue.tryPop()!;
  queue.moveAllToActiveOrBackoff({ name: 'NodeAdd' });
  queue.addUnschedulable(q, new Set(['NodeResourcesFit']));
  t.is(queue.lengths().backoff, 1);
  clock.step(1000);
  t.truthy(queue.tryPop());
});

test('parked pods are retried after five minutes anyway', (t) => {
  const { queue, clock } = setup();
  queue.add(info('a'));
  queue.addUnschedulable(queue.tryPop()!, new Set(['NodeResourcesFit']));
  clock.step(4 * 60_000);
  t.is(queue.tryPop(), undefined);
  clock.step(60_000 + 30_000);
  t.is(queue.tryPop()?.podInfo.key, 'default/a');
});

test('update refreshes queued pods and retries parked ones; delete removes them', (t) => {
  const { queue, clock } = setup();
  queue.add(info('a'));
  queue.add(info('b'));
  queue.update(info('a', 10));
  t.is(queue.tryPop()?.podInfo.priority, 10);
  queue.addUnschedulable(queue.tryPop()!, new Set(['NodeAffinity']));
  clock.step(2000);
  t.true(queue.update(info('b')));
  t.is(queue.tryPop()?.podInfo.key, 'default/b');
  queue.add(info('c'));
  queue.delete('default/c');
  t.false(queue.has('default/c'));
  t.false(queue.update(info('zzz')));
});

test('a pod deleted while in flight is not requeued', (t) => {
  const { queue, clock } = setup();
  queue.add(info('a'));
  const q = queue.tryPop()!;
  queue.delete('default/a');
  queue.requeueWithBackoff(q);
  queue.addUnschedulable(q, new Set());
  clock.step(20_000);
  t.false(queue.has('default/a'));
});

test('an aborted pop gives up its place; the pod goes to the next pop', async (t) => {
  const { queue } = setup();
  const ac = new AbortController();
  const first = queue.pop(ac.signal);
  ac.abort();
  t.is(await first, undefined);
  const second = queue.pop();
  queue.add(info('a'));
  t.is((await second)?.podInfo.key, 'default/a');
});
