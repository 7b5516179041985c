import test from 'ava';
import type { KubeObject } from '../api/meta.js';
import { SharedInformerFactory } from './factory.js';
import { NodeNameIndex } from './indexers.js';
import { type ResourceEventHandler, SharedIndexInformer, waitForCacheSync } from './informer.js';
import { silentLogger } from './logger.js';
import { Resources } from './resources.js';
import { RestClient } from './rest.js';
import { DeletedFinalStateUnknown } from './store.js';
import { newPod } from './testing/builders.js';
import { FakeApiServer } from './testing/fake_apiserver.js';
import { FakeClock, flushPromises } from './testing/fake_clock.js';
import { FakeListWatch } from './testing/fake_list_watch.js';

const PODS = '/v1/pods';

/** recorder is a handler that writes one line per notification. */
function recorder(): { log: string[]; handler: ResourceEventHandler<KubeObject> } {
  const log: string[] = [];
  const name = (o: KubeObject | DeletedFinalStateUnknown<KubeObject>): string =>
    o instanceof DeletedFinalStateUnknown ? `tombstone(${o.key})` : `${o.metadata.name}`;
  return {
    log,
    handler: {
      onAdd: (o, initial) => log.push(`add ${name(o)}${initial ? ' (initial)' : ''}`),
      onUpdate: (a, b) => log.push(`update ${name(b)} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
      onDelete: (o) => log.push(`delete ${name(o)}`),
    },
  };
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const api = new FakeApiServer();
  await api.start();
  const client = new RestClient({ server: api.url, retryInitialMs: 10, retryMaxMs: 50, maxRetries: 1 });
  const stop = new AbortController();
  const factory = new SharedInformerFactory(client, {
    logger: silentLogger(),
    reflector: { backoffInitialMs: 20, backoffMaxMs: 100 },
  });
  t.teardown(async () => {
    stop.abort();
    await factory.shutdown();
    client.close();
    await api.stop();
  });
  return { api, client, stop, factory };
}

async function eventually(cond: () => boolean, what = 'condition', timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('informer delivers the initial list, then adds, updates and deletes from the watch', async (t) => {
  const { api, client, stop, factory } = await setup(t);
  api.seed(PODS, newPod('a', { namespace: 'n' }));
  const informer = factory.informerFor(Resources.pods);
  const { log, handler } = recorder();
  informer.addEventHandler(handler);
  t.false(informer.hasSynced());
  factory.start(stop.signal);
  t.true(await factory.waitForCacheSync(stop.signal));
  t.deepEqual(log, ['add a (initial)']);

  const pods = client.resource<KubeObject>(Resources.pods).namespace('n');
  const b = await pods.create(newPod('b'));
  const b2 = await pods.update({ ...b, metadata: { ...b.metadata, labels: { x: 'y' } } });
  await pods.delete('a');
  await eventually(() => log.length === 4, 'four notifications');
  t.deepEqual(log.slice(1), [`add b`, `update b ${b.metadata.resourceVersion}->${b2.metadata.resourceVersion}`, 'delete a']);
  t.deepEqual(informer.lister().list('n').map((p) => p.metadata.name), ['b']);
  t.is(informer.lastSyncResourceVersion, api.revision);
});

test('after the server restarts with compacted history, the informer relists and emits tombstones', async (t) => {
  const { api, stop, factory } = await setup(t);
  api.seed(PODS, newPod('stays', { namespace: 'n' }));
  api.seed(PODS, newPod('vanishes', { namespace: 'n' }));
  const informer = factory.informerFor(Resources.pods);
  const { log, handler } = recorder();
  informer.addEventHandler(handler);
  factory.start(stop.signal);
  await factory.waitForCacheSync(stop.signal);
  const listsBefore = api.requests.filter((r) => r.query.get('watch') !== 'true').length;

  await api.stop(); // the server goes away; the reflector retries with backoff
  api.remove(PODS, 'n', 'vanishes');
  api.seed(PODS, newPod('appears', { namespace: 'n' }));
  api.compact(); // and the events in between are forgotten: the old resourceVersion is 410 now
  await new Promise((r) => setTimeout(r, 150));
  await api.start();

  await eventually(() => log.includes('delete tombstone(n/vanishes)'), 'tombstone');
  t.true(log.includes('add appears'));
  t.deepEqual(informer.lister().list().map((p) => p.metadata.name).sort(), ['appears', 'stays']);
  const lists = api.requests.filter((r) => r.query.get('watch') !== 'true').length;
  t.is(lists - listsBefore, 1, 'exactly one relist');
  const watches = api.requests.filter((r) => r.query.get('watch') === 'true');
  t.true(watches.some((w) => w.query.get('allowWatchBookmarks') === 'true'));
});

test('a cleanly closed watch resumes from the bookmark resourceVersion without a relist', async (t) => {
  const { api, client, stop, factory } = await setup(t);
  const informer = factory.informerFor(Resources.configmaps);
  factory.start(stop.signal);
  await factory.waitForCacheSync(stop.signal);
  await eventually(() => api.watchCount === 1, 'watch open');
  await client.resource(Resources.pods).namespace('other').create(newPod('unrelated')); // moves the revision
  api.sendBookmarks();
  await eventually(() => informer.lastSyncResourceVersion === api.revision, 'bookmark applied');
  const bookmarkRv = api.revision;
  api.closeWatches();
  await eventually(() => api.watchCount === 1 && api.requests.at(-1)?.query.get('watch') === 'true', 'rewatch');
  const last = api.requests.filter((r) => r.query.get('watch') === 'true').at(-1);
  t.is(last?.query.get('resourceVersion'), bookmarkRv);
  t.is(api.requests.filter((r) => r.path === '/api/v1/configmaps' && r.query.get('watch') !== 'true').length, 1);
});

test('the factory shares one informer per resource and indexes pods by node', async (t) => {
  const { api, stop, factory } = await setup(t);
  api.seed(PODS, newPod('p1', { nodeName: 'node-a' }));
  api.seed(PODS, newPod('p2', { nodeName: 'node-b' }));
  const one = factory.informerFor(Resources.pods);
  const two = factory.informerFor({ group: '', version: 'v1', resource: 'pods', namespaced: true });
  t.is(one, two);
  t.not(factory.informerFor(Resources.pods, { labelSelector: 'app=x' }), one, 'a selector makes a separate informer');
  factory.start(stop.signal);
  factory.start(stop.signal); // idempotent
  await factory.waitForCacheSync(stop.signal);
  t.deepEqual(factory.lister(Resources.pods).byIndex(NodeNameIndex, 'node-b').map((p) => p.metadata.name), ['p2']);
  await eventually(() => api.watchCount === 2, 'one watch per informer');
  t.is(api.requests.filter((r) => r.path === '/api/v1/pods' && r.query.get('watch') === 'true').length, 2);
});

test('a handler added after sync gets the cached objects as initial adds; a throwing handler harms no one', async (t) => {
  const clock = new FakeClock();
  const lw = new FakeListWatch();
  lw.queueList({ items: [newPod('a', { resourceVersion: '1' })], resourceVersion: '1' });
  const informer = new SharedIndexInformer({ name: 'pods', listerWatcher: lw, clock, logger: silentLogger() });
  informer.addEventHandler({
    onAdd: () => {
      throw new Error('bad handler');
    },
  });
  const stop = new AbortController();
  const done = informer.run(stop.signal);
  t.true(await waitForCacheSync([informer], stop.signal));
  const late = recorder();
  informer.addEventHandler(late.handler);
  t.deepEqual(late.log, ['add a (initial)']);
  (await lw.nextWatch(0)).send({ type: 'ADDED', object: newPod('b', { resourceVersion: '2' }) });
  await flushPromises();
  t.deepEqual(late.log, ['add a (initial)', 'add b']);
  stop.abort();
  await done;
});

test('periodic resync re-delivers every cached object as an update', async (t) => {
  const clock = new FakeClock();
  const lw = new FakeListWatch();
  lw.queueList({ items: [newPod('a', { resourceVersion: '1' }), newPod('b', { resourceVersion: '2' })], resourceVersion: '2' });
  const informer = new SharedIndexInformer({ name: 'pods', listerWatcher: lw, clock, logger: silentLogger(), resyncPeriodMs: 30_000 });
  const withResync = recorder();
  const without = recorder();
  informer.addEventHandler(withResync.handler);
  informer.addEventHandler(without.handler, 0);
  const stop = new AbortController();
  const done = informer.run(stop.signal);
  await informer.whenSynced();
  await clock.advance(29_999);
  t.is(withResync.log.length, 2);
  await clock.advance(1);
  t.deepEqual(withResync.log.slice(2).sort(), ['update a 1->1', 'update b 2->2']);
  await clock.advance(30_000);
  t.is(withResync.log.length, 6);
  t.is(without.log.length, 2);
  stop.abort();
  await done;
});

test('waitForCacheSync returns false when aborted first', async (t) => {
  const stop = new AbortController();
  const never = { hasSynced: () => false };
  const waiting = waitForCacheSync([never], stop.signal, 5);
  stop.abort();
  t.false(await waiting);
});
