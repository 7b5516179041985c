import test from 'ava';
import { newGone, newInternal } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import { Reflector, type ReflectorSink } from './reflector.js';
import { FakeClock, flushPromises } from './testing/fake_clock.js';
import { FakeListWatch } from './testing/fake_list_watch.js';
import { newPod } from './testing/builders.js';
import { silentLogger } from './logger.js';

class RecordingSink implements ReflectorSink<KubeObject> {
  readonly log: string[] = [];
  replace(items: KubeObject[], rv: string): void {
    this.log.push(`replace ${rv} [${items.map((i) => i.metadata.name).join(',')}]`);
  }
  add(obj: KubeObject): void {
    this.log.push(`add ${obj.metadata.name}`);
  }
  update(obj: KubeObject): void {
    this.log.push(`update ${obj.metadata.name}`);
  }
  delete(obj: KubeObject): void {
    this.log.push(`delete ${obj.metadata.name}`);
  }
}

function setup(prepare: (lw: FakeListWatch) => void) {
  const clock = new FakeClock();
  const lw = new FakeListWatch();
  prepare(lw);
  const sink = new RecordingSink();
  const reflector = new Reflector({ name: 'pods', listerWatcher: lw, sink, clock, random: () => 0, logger: silentLogger() });
  const stop = new AbortController();
  const done = reflector.run(stop.signal);
  return { clock, lw, sink, reflector, stop, done };
}

const pod = (name: string, rv: string): KubeObject => newPod(name, { resourceVersion: rv });

test('lists, then watches from the list resourceVersion and applies events', async (t) => {
  const { lw, sink, reflector, stop, done } = setup((lw) => lw.queueList({ items: [pod('a', '3')], resourceVersion: '10' }));
  const w = await lw.nextWatch(0);
  t.is(w.resourceVersion, '10');
  w.send({ type: 'ADDED', object: pod('b', '11') });
  w.send({ type: 'MODIFIED', object: pod('a', '12') });
  w.send({ type: 'DELETED', object: pod('b', '13') });
  await flushPromises();
  t.deepEqual(sink.log, ['replace 10 [a]', 'add b', 'update a', 'delete b']);
  t.is(reflector.lastSyncResourceVersion, '13');
  stop.abort();
  await done;
});

test('after a normal close the watch resumes from the last event or BOOKMARK, without relisting', async (t) => {
  const clock = new FakeClock();
  const lw = new FakeListWatch();
  lw.queueList({ items: [], resourceVersion: '5' });
  const sink = new RecordingSink();
  const r = new Reflector({ name: 'pods', listerWatcher: lw, sink, clock, logger: silentLogger() });
  const stop = new AbortController();
  const done = r.run(stop.signal);
  const w0 = await lw.nextWatch(0);
  w0.send({ type: 'ADDED', object: pod('a', '6') });
  w0.end();
  const w1 = await lw.nextWatch(1);
  t.is(w1.resourceVersion, '6');
  w1.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '42' } } as KubeObject });
  w1.end();
  const w2 = await lw.nextWatch(2);
  t.is(w2.resourceVersion, '42');
  t.is(lw.listCalls, 1);
  t.deepEqual(sink.log, ['replace 5 []', 'add a'], 'bookmarks are not events for the sink');
  stop.abort();
  await done;
});

test('410 Expired in the stream relists at once, and the new watch starts from the new list', async (t) => {
  const { lw, sink, stop, done } = setup((lw) => lw.queueList({ items: [pod('a', '1')], resourceVersion: '2' }));
  const w0 = await lw.nextWatch(0);
  lw.queueList({ items: [pod('b', '50')], resourceVersion: '60' });
  w0.send({ type: 'ERROR', object: newGone('too old resource version: 2 (40)').status as unknown as KubeObject });
  const w1 = await lw.nextWatch(1);
  t.is(w1.resourceVersion, '60');
  t.is(lw.listCalls, 2);
  t.deepEqual(sink.log, ['replace 2 [a]', 'replace 60 [b]']);
  stop.abort();
  await done;
});

test('connection failures back off exponentially (800 ms doubling, jittered, capped at 30 s) and reset after success', async (t) => {
  const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const { clock, lw, stop, done } = setup((lw) => {
    for (let i = 0; i < 8; i++) lw.queueList(refused());
    lw.queueList({ items: [], resourceVersion: '1' });
  });
  await flushPromises();
  t.is(lw.listCalls, 1);
  const expectedDelays = [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000];
  for (const [i, delay] of expectedDelays.entries()) {
    await clock.advance(delay - 1);
    t.is(lw.listCalls, i + 1, `not retried before ${delay} ms`);
    await clock.advance(1);
    t.is(lw.listCalls, i + 2, `retried after ${delay} ms`);
  }
  const w0 = await lw.nextWatch(0);
  // the watch then breaks: the first retry after a success waits the initial delay again
  w0.fail(refused());
  await flushPromises();
  t.is(lw.watches.length, 1);
  await clock.advance(800);
  const w1 = await lw.nextWatch(1);
  t.is(w1.resourceVersion, '1', 'a broken watch resumes from the last resourceVersion, no relist');
  t.is(lw.listCalls, 9);
  stop.abort();
  await done;
});

test('jitter spreads delays up to 2× the base', async (t) => {
  const clock = new FakeClock();
  const lw = new FakeListWatch();
  lw.queueList(new Error('boom'));
  lw.queueList({ items: [], resourceVersion: '1' });
  const r = new Reflector({ name: 'x', listerWatcher: lw, sink: new RecordingSink(), clock, random: () => 0.5, logger: silentLogger() });
  const stop = new AbortController();
  const done = r.run(stop.signal);
  await flushPromises();
  await clock.advance(1199);
  t.is(lw.listCalls, 1);
  await clock.advance(1);
  t.is(lw.listCalls, 2);
  stop.abort();
  await done;
});

test('an ERROR event other than 410 backs off and resumes the watch', async (t) => {
  const { clock, lw, stop, done } = setup((lw) => lw.queueList({ items: [], resourceVersion: '7' }));
  const w0 = await lw.nextWatch(0);
  w0.send({ type: 'ERROR', object: newInternal('etcd hiccup').status as unknown as KubeObject });
  await flushPromises();
  t.is(lw.watches.length, 1);
  await clock.advance(800);
  const w1 = await lw.nextWatch(1);
  t.is(w1.resourceVersion, '7');
  t.is(lw.listCalls, 1);
  stop.abort();
  await done;
});

test('a watch closed at once with no events is treated as a failure (no busy loop)', async (t) => {
  const { clock, lw, stop, done } = setup((lw) => lw.queueList({ items: [], resourceVersion: '7' }));
  (await lw.nextWatch(0)).end();
  await flushPromises();
  t.is(lw.watches.length, 1);
  await clock.advance(800);
  await lw.nextWatch(1);
  t.pass();
  stop.abort();
  await done;
});

test('consecutive 410s back off instead of relisting in a tight loop', async (t) => {
  const gone = newGone('expired');
  const { clock, lw, stop, done } = setup((lw) => {
    lw.queueList({ items: [], resourceVersion: '1' });
    lw.queueList(gone);
    lw.queueList({ items: [], resourceVersion: '9' });
  });
  const w0 = await lw.nextWatch(0);
  w0.fail(gone);
  await flushPromises();
  t.is(lw.listCalls, 2, 'first 410 relists at once');
  await clock.advance(799);
  t.is(lw.listCalls, 2, 'the failed relist waits');
  await clock.advance(1);
  t.is(lw.listCalls, 3);
  t.is((await lw.nextWatch(1)).resourceVersion, '9');
  stop.abort();
  await done;
});

test('aborting stops the loop, even while waiting for a backoff', async (t) => {
  const { lw, stop, done } = setup((lw) => lw.queueList(new Error('down')));
  await flushPromises();
  stop.abort();
  await done;
  t.is(lw.listCalls, 1);
});
