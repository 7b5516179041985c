import test from 'ava';
import { Registry } from 'prom-client';
import { BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter } from './ratelimiter.js';
import { FakeClock, flushPromises } from './testing/fake_clock.js';
import { WorkQueue } from './workqueue.js';

function newQueue(opts: { clock?: FakeClock; metrics?: Registry } = {}) {
  const clock = opts.clock ?? new FakeClock();
  return { clock, queue: new WorkQueue({ name: 'test', clock, metrics: opts.metrics }) };
}

test('keys are de-duplicated while waiting and handed out in order', async (t) => {
  const { queue } = newQueue();
  queue.add('a');
  queue.add('b');
  queue.add('a');
  t.is(queue.len(), 2);
  t.is(await queue.get(), 'a');
  t.is(await queue.get(), 'b');
  t.is(queue.len(), 0);
});

test('a key re-added while processing is not handed to a second worker, but re-queued after done', async (t) => {
  const { queue } = newQueue();
  queue.add('a');
  const key = await queue.get();
  t.is(key, 'a');
  queue.add('a');
  queue.add('a');
  t.is(queue.len(), 0, 'not queued while in flight');
  let second: string | undefined;
  void queue.get().then((k) => (second = k));
  await flushPromises();
  t.is(second, undefined, 'the other worker keeps waiting');
  queue.done('a');
  await flushPromises();
  t.is(second, 'a', 'handed out again exactly once after done');
  t.is(queue.len(), 0);
});

test('get waits for an add; waiting workers are served in order', async (t) => {
  const { queue } = newQueue();
  const first = queue.get();
  const second = queue.get();
  queue.add('x');
  queue.add('y');
  t.deepEqual(await Promise.all([first, second]), ['x', 'y']);
});

test('addAfter waits on the clock; the earliest of several delays wins', async (t) => {
  const { clock, queue } = newQueue();
  queue.addAfter('a', 100);
  queue.addAfter('a', 50);
  queue.addAfter('a', 500);
  clock.step(49);
  t.is(queue.len(), 0);
  clock.step(1);
  t.is(queue.len(), 1);
  clock.step(1000);
  t.is(queue.len(), 1, 'the superseded delays do not add it again');
  queue.addAfter('b', 0);
  t.is(queue.len(), 2);
});

test('addRateLimited backs off per key 5 ms doubling; forget resets; numRequeues counts', (t) => {
  const { clock, queue } = newQueue();
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const before = clock.now();
    queue.addRateLimited('k');
    let waited = 0;
    while (queue.len() === 0) {
      clock.step(1);
      waited++;
    }
    delays.push(waited);
    void queue.get();
    queue.done('k');
    t.is(clock.now() - before, waited);
  }
  t.deepEqual(delays, [5, 10, 20, 40, 80]);
  t.is(queue.numRequeues('k'), 5);
  queue.forget('k');
  t.is(queue.numRequeues('k'), 0);
});

test('the per-key backoff caps at 1000 s', (t) => {
  const limiter = new ItemExponentialFailureRateLimiter(5, 1000_000);
  let last = 0;
  for (let i = 0; i < 30; i++) last = limiter.when('k');
  t.is(last, 1000_000);
});

test('the token bucket allows a burst of 100, then 10 per second; MaxOf takes the slower', (t) => {
  const clock = new FakeClock();
  const bucket = new BucketRateLimiter(10, 100, clock);
  for (let i = 0; i < 100; i++) t.is(bucket.when(`k${i}`), 0);
  t.is(bucket.when('x'), 100);
  t.is(bucket.when('y'), 200);
  clock.step(1000); // refills 10 tokens: the debt of 2 is paid, 8 are left
  for (let i = 0; i < 8; i++) t.is(bucket.when(`z${i}`), 0);
  t.is(bucket.when('w'), 100);

  const combined = defaultControllerRateLimiter(new FakeClock());
  t.is(combined.when('a'), 5, 'bucket has tokens: the per-key delay rules');
  const slowBucket = new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(5, 1000), new BucketRateLimiter(1, 1, new FakeClock()));
  t.is(slowBucket.when('a'), 5);
  t.is(slowBucket.when('b'), 1000, 'bucket is empty: its delay rules');
  t.is(slowBucket.numRequeues('a'), 1);
});

test('shutDown wakes idle workers with undefined, drops delayed keys and ignores new adds', async (t) => {
  const { clock, queue } = newQueue();
  const waiting = queue.get();
  queue.addAfter('later', 10);
  queue.shutDown();
  t.is(await waiting, undefined);
  queue.add('new');
  clock.step(100);
  t.is(queue.len(), 0);
  t.true(queue.shuttingDown());
  t.is(await queue.get(), undefined);
});

test('keys queued before shutDown are still handed out (as client-go does)', async (t) => {
  const { queue } = newQueue();
  queue.add('a');
  queue.shutDown();
  t.is(await queue.get(), 'a');
  t.is(await queue.get(), undefined);
});

test('shutDownWithDrain resolves only when in-flight keys are done', async (t) => {
  const { queue } = newQueue();
  queue.add('a');
  queue.add('b');
  await queue.get();
  await queue.get();
  let drained = false;
  const drain = queue.shutDownWithDrain().then(() => (drained = true));
  queue.done('a');
  await flushPromises();
  t.false(drained);
  queue.done('b');
  await drain;
  t.true(drained);
});

test('metrics: depth, adds, queue latency, work duration and retries land in the given registry', async (t) => {
  const registry = new Registry();
  const clock = new FakeClock();
  const { queue } = newQueue({ clock, metrics: registry });
  const other = new WorkQueue({ name: 'other', clock, metrics: registry }); // shares the metric objects
  queue.add('a');
  queue.add('b');
  queue.add('a');
  other.add('z');
  const value = async (name: string, queueName = 'test', suffix = ''): Promise<number | undefined> => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    return (metric?.values as { labels: Record<string, string>; value: number; metricName?: string }[])
      ?.find((v) => v.labels.name === queueName && (v.metricName ?? name) === name + suffix)?.value;
  };
  t.is(await value('workqueue_depth'), 2);
  t.is(await value('workqueue_adds_total'), 2);
  t.is(await value('workqueue_depth', 'other'), 1);
  clock.step(2000);
  const key = await queue.get();
  clock.step(500);
  queue.done(key as string);
  t.is(await value('workqueue_depth'), 1);
  t.is(await value('workqueue_queue_duration_seconds', 'test', '_sum'), 2);
  t.is(await value('workqueue_work_duration_seconds', 'test', '_sum'), 0.5);
  queue.addRateLimited('c');
  t.is(await value('workqueue_retries_total'), 1);
});
