import test from 'ava';
import { pino } from 'pino';
import { Controller, type SyncFunc, TerminalError } from './controller.js';
import { FakeClock, flushPromises } from './testing/fake_clock.js';
import { WorkQueue } from './workqueue.js';

interface LogLine {
  level: number;
  msg: string;
  key?: string;
  controller?: string;
}

function setup(sync: SyncFunc, opts: { workers?: number; informers?: { hasSynced(): boolean }[]; maxRetries?: number } = {}) {
  const clock = new FakeClock();
  const queue = new WorkQueue({ name: 'test', clock });
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
  const controller = new Controller({ name: 'test-controller', queue, sync, logger, ...opts });
  const stop = new AbortController();
  return { clock, queue, logs, controller, stop };
}

const tick = async (n = 3): Promise<void> => {
  for (let i = 0; i < n; i++) await flushPromises();
};

test('workers start only after every informer has synced', async (t) => {
  let synced = false;
  const seen: string[] = [];
  const { queue, controller, stop } = setup((key) => void seen.push(key), { informers: [{ hasSynced: () => synced }] });
  queue.add('ns/a');
  const done = controller.run(stop.signal);
  await new Promise((r) => setTimeout(r, 120));
  t.deepEqual(seen, []);
  synced = true;
  await new Promise((r) => setTimeout(r, 120));
  t.deepEqual(seen, ['ns/a']);
  stop.abort();
  await done;
});

test('success forgets the key; errors are retried with per-key backoff and logged with the key', async (t) => {
  let failures = 2;
  const calls: number[] = [];
  const { clock, queue, logs, controller, stop } = setup(async () => {
    calls.push(clock.now());
    if (failures-- > 0) throw new Error('apiserver said no');
  });
  const start = clock.now();
  const done = controller.run(stop.signal);
  queue.add('ns/a');
  await tick();
  t.is(calls.length, 1);
  t.is(queue.numRequeues('ns/a'), 1);
  await clock.advance(5);
  t.is(calls.length, 2);
  await clock.advance(9);
  t.is(calls.length, 2, 'second retry waits 10 ms');
  await clock.advance(1);
  t.is(calls.length, 3);
  t.deepEqual(calls.map((c) => c - start), [0, 5, 15]);
  t.is(queue.numRequeues('ns/a'), 0, 'forgotten after success');
  const warnings = logs.filter((l) => l.msg.includes('requeueing'));
  t.is(warnings.length, 2);
  t.true(warnings.every((w) => w.key === 'ns/a' && w.controller === 'test-controller'));
  stop.abort();
  await done;
});

test('a TerminalError is logged and not retried; other exceptions (even sync throws) are contained', async (t) => {
  const calls: string[] = [];
  const { clock, queue, logs, controller, stop } = setup((key) => {
    calls.push(key);
    if (key === 'bad') throw new TerminalError('spec can never work');
    if (key === 'sync-throw') throw new TypeError('bug');
  });
  const done = controller.run(stop.signal);
  queue.add('bad');
  queue.add('sync-throw');
  await tick();
  await clock.advance(10_000);
  t.is(calls.filter((k) => k === 'bad').length, 1);
  t.true(calls.filter((k) => k === 'sync-throw').length > 1, 'ordinary errors retry');
  t.true(logs.some((l) => l.level === 50 && l.key === 'bad' && l.msg.includes('terminal')));
  stop.abort();
  await done;
});

test('requeueAfter looks at the key again after the delay', async (t) => {
  let n = 0;
  const { clock, queue, controller, stop } = setup(() => (n++ === 0 ? { requeueAfter: 30_000 } : undefined));
  const done = controller.run(stop.signal);
  queue.add('k');
  await tick();
  t.is(n, 1);
  await clock.advance(29_999);
  t.is(n, 1);
  await clock.advance(1);
  t.is(n, 2);
  t.is(queue.numRequeues('k'), 0);
  stop.abort();
  await done;
});

test('maxRetries drops a key that keeps failing', async (t) => {
  let calls = 0;
  const { clock, queue, logs, controller, stop } = setup(() => {
    calls++;
    throw new Error('always');
  }, { maxRetries: 3 });
  const done = controller.run(stop.signal);
  queue.add('k');
  await tick();
  await clock.advance(100_000);
  t.is(calls, 4);
  t.true(logs.some((l) => l.msg.includes('dropping')));
  stop.abort();
  await done;
});

test('N workers sync different keys at once but never the same key twice at once', async (t) => {
  const running = new Set<string>();
  let maxParallel = 0;
  let overlap = false;
  const releases: (() => void)[] = [];
  const { queue, controller, stop } = setup(async (key) => {
    if (running.has(key)) overlap = true;
    running.add(key);
    maxParallel = Math.max(maxParallel, running.size);
    await new Promise<void>((r) => releases.push(r));
    running.delete(key);
  }, { workers: 3 });
  const done = controller.run(stop.signal);
  for (const k of ['a', 'b', 'c', 'd']) queue.add(k);
  await tick();
  t.is(controller.busy, 3);
  queue.add('a'); // while a is in flight
  while (releases.length) {
    releases.shift()?.();
    await tick();
  }
  t.is(maxParallel, 3);
  t.false(overlap);
  stop.abort();
  await done;
});

test('graceful shutdown waits for in-flight syncs and starts no new ones', async (t) => {
  let release!: () => void;
  const finished: string[] = [];
  const { queue, controller, stop } = setup(async (key) => {
    await new Promise<void>((r) => (release = r));
    finished.push(key);
  });
  const done = controller.run(stop.signal);
  queue.add('first');
  queue.add('second');
  await tick();
  let stopped = false;
  void done.then(() => (stopped = true));
  stop.abort();
  await tick();
  t.false(stopped, 'still waiting for the in-flight sync');
  release();
  await done;
  t.deepEqual(finished, ['first']);
  t.true(queue.shuttingDown());
});
