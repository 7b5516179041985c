// Integration tests of pkg/client against the real API server over a real etcd: typed REST
// client (CRUD, conflicts, patches, paging, binding), informers fed by real watches, leader
// election on a real Lease, and event aggregation.
import test from 'ava';
import { isConflict, isNotFound } from '../../pkg/api/errors.js';
import type { KubeObject } from '../../pkg/api/meta.js';
import { EventRecorder, type CoreEvent } from '../../pkg/client/events.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { DeletedFinalStateUnknown } from '../../pkg/client/store.js';
import { LeaderElector, type Lease } from '../../pkg/client/leaderelection.js';
import { listWatchFor } from '../../pkg/client/list_watch.js';
import { Reflector } from '../../pkg/client/reflector.js';
import { silentLogger } from '../../pkg/client/logger.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { startTestApiServer, useTestApiServer } from '../lib/apiserver.js';

const fixture = useTestApiServer(test, { server: { bookmarkIntervalMs: 200 }, client: { maxRetries: 2 } });

let seq = 0;
async function namespace(): Promise<string> {
  const name = `skiff-client-${process.pid}-${++seq}`;
  await fixture.client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

function configMap(name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

async function eventually(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('typed client: create, get, conflicting update, patches, paging, delete', async (t) => {
  const ns = await namespace();
  const cms = fixture.client.resource<KubeObject>(Resources.configmaps).namespace(ns);
  const created = await cms.create(configMap('one', { a: '1' }));
  t.truthy(created.metadata.uid);
  const fresh = await cms.update({ ...created, data: { a: '2' } });
  t.true(isConflict(await t.throwsAsync(cms.update({ ...created, data: { a: '3' } }))));
  await cms.patch('one', 'merge', { data: { b: '1' } });
  await cms.patch('one', 'json', [{ op: 'add', path: '/data/c', value: '1' }]);
  const patched = await cms.patch('one', 'strategic', { metadata: { labels: { x: 'y' } } });
  t.deepEqual(patched.data, { a: '2', b: '1', c: '1' });
  t.not(patched.metadata.resourceVersion, fresh.metadata.resourceVersion);

  for (let i = 0; i < 7; i++) await cms.create(configMap(`page-${i}`, {}, { page: 'yes' }));
  const first = await cms.list({ limit: 3, labelSelector: { page: 'yes' } });
  t.is(first.items.length, 3);
  t.truthy(first.metadata.continue);
  const all = await cms.listAll({ limit: 3, labelSelector: 'page=yes' });
  t.is(all.items.length, 7);

  await cms.delete('one');
  t.true(isNotFound(await t.throwsAsync(cms.get('one'))));
});

test('pods: bind to a node through the binding subresource', async (t) => {
  const ns = await namespace();
  const pods = fixture.client.resource<KubeObject>(Resources.pods).namespace(ns);
  const pod = await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await pods.bind('p', 'node-a', { uid: pod.metadata.uid });
  t.is(((await pods.get('p')).spec as { nodeName?: string }).nodeName, 'node-a');
  t.true(isConflict(await t.throwsAsync(pods.bind('p', 'node-b'))));
});

test('informers follow the real watch: initial list, add, update, delete', async (t) => {
  const ns = await namespace();
  const cms = fixture.client.resource<KubeObject>(Resources.configmaps).namespace(ns);
  await cms.create(configMap('before'));
  const stop = new AbortController();
  const factory = new SharedInformerFactory(fixture.client, { namespace: ns, logger: silentLogger() });
  t.teardown(async () => {
    stop.abort();
    await factory.shutdown();
  });
  const log: string[] = [];
  const informer = factory.informerFor(Resources.configmaps);
  informer.addEventHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (_o, n) => log.push(`update ${n.metadata.name}`),
    onDelete: (o) => log.push(`delete ${o instanceof DeletedFinalStateUnknown ? o.key : o.metadata.name}`),
  });
  factory.start(stop.signal);
  t.true(await factory.waitForCacheSync(stop.signal));
  // namespaces may carry a default ConfigMap; only count ours
  t.true(log.includes('add before'));
  const after = await cms.create(configMap('after'));
  await cms.update({ ...after, data: { k: 'v' } });
  await cms.delete('before');
  await eventually(() => log.includes('delete before') && log.includes('update after'), 'watch events');
  t.deepEqual(log.filter((l) => /before|after/.test(l)), ['add before', 'add after', 'update after', 'delete before']);
  t.deepEqual(
    factory.lister(Resources.configmaps).list(ns).map((c) => c.metadata.name).filter((n) => n === 'after' || n === 'before'),
    ['after'],
  );
});

test('leader election on a real Lease: one leader, release hands over', async (t) => {
  const ns = await namespace();
  const stops = [new AbortController(), new AbortController()];
  const leading: string[] = [];
  const electors = ['a', 'b'].map(
    (id) =>
      new LeaderElector({
        client: fixture.client,
        namespace: ns,
        name: 'skiff-test',
        identity: id,
        leaseDurationMs: 2000,
        renewDeadlineMs: 1500,
        retryPeriodMs: 200,
        logger: silentLogger(),
        callbacks: { onStartedLeading: () => void leading.push(id) },
      }),
  );
  const runs = electors.map((e, i) => e.run(stops[i].signal));
  t.teardown(async () => {
    for (const s of stops) s.abort();
    await Promise.all(runs);
  });
  await eventually(() => leading.length === 1, 'a leader');
  await new Promise((r) => setTimeout(r, 500));
  t.is(leading.length, 1, 'only one leads');
  const first = leading[0];
  const firstIndex = first === 'a' ? 0 : 1;
  stops[firstIndex].abort();
  await runs[firstIndex];
  await eventually(() => leading.length === 2, 'hand-over', 1500);
  const lease = await fixture.client.resource<Lease>(Resources.leases).namespace(ns).get('skiff-test');
  t.is(lease.spec.holderIdentity, first === 'a' ? 'b' : 'a');
  t.is(lease.spec.leaseTransitions, 1);
  t.regex(lease.spec.renewTime ?? '', /\.\d{6}Z$/);
});

test('event recorder aggregates repeats into one Event with a count', async (t) => {
  const ns = await namespace();
  const pod = await fixture.client
    .resource<KubeObject>(Resources.pods)
    .namespace(ns)
    .create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ev' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const recorder = new EventRecorder({ client: fixture.client, component: 'skiff-test', logger: silentLogger() });
  for (let i = 0; i < 3; i++) recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await recorder.flush();
  const events = await fixture.client.resource<CoreEvent>(Resources.events).namespace(ns).list();
  t.is(events.items.length, 1);
  t.is(events.items[0].count, 3);
  t.is(events.items[0].involvedObject.uid, pod.metadata.uid);
});

test('bookmarks from the real server advance a quiet informer\'s resourceVersion', async (t) => {
  const quiet = await namespace();
  const busy = await namespace();
  const stop = new AbortController();
  const factory = new SharedInformerFactory(fixture.client, { namespace: quiet, logger: silentLogger() });
  t.teardown(async () => {
    stop.abort();
    await factory.shutdown();
  });
  const informer = factory.informerFor(Resources.configmaps);
  factory.start(stop.signal);
  await factory.waitForCacheSync(stop.signal);
  const before = Number(informer.lastSyncResourceVersion);
  const other = await fixture.client.resource<KubeObject>(Resources.configmaps).namespace(busy).create(configMap('elsewhere'));
  await eventually(() => Number(informer.lastSyncResourceVersion) >= Number(other.metadata.resourceVersion), 'a bookmark past the unrelated write');
  t.true(Number(informer.lastSyncResourceVersion) > before);
});

test('a watch from a resourceVersion that fell out of the watch cache gets 410 and the reflector relists', async (t) => {
  const small = await startTestApiServer({ watchCacheCapacity: 5 });
  const c = new RestClient({ server: small.url, maxRetries: 2 });
  t.teardown(async () => {
    c.close();
    await small.cleanup();
  });
  const cms = c.resource<KubeObject>(Resources.configmaps).namespace('default');
  await cms.create(configMap('first'));
  const inner = listWatchFor(cms);
  let lists = 0;
  let releaseWatch!: () => void;
  const watchMayStart = new Promise<void>((r) => (releaseWatch = r));
  const seen = new Map<string, KubeObject>();
  const stop = new AbortController();
  const reflector = new Reflector<KubeObject>({
    name: 'configmaps',
    logger: silentLogger(),
    listerWatcher: {
      list: (o) => (lists++, inner.list(o)),
      watch: (o) =>
        (async function* () {
          await watchMayStart; // hold the first watch back until its resourceVersion is too old
          yield* inner.watch(o);
        })(),
    },
    sink: {
      replace: (items) => {
        seen.clear();
        for (const i of items) seen.set(i.metadata.name ?? '', i);
      },
      add: (o) => seen.set(o.metadata.name ?? '', o),
      update: (o) => seen.set(o.metadata.name ?? '', o),
      delete: (o) => seen.delete(o.metadata.name ?? ''),
    },
  });
  const run = reflector.run(stop.signal);
  t.teardown(async () => {
    stop.abort();
    releaseWatch();
    await run;
  });
  await eventually(() => lists === 1 && seen.has('first'), 'first list');
  for (let i = 0; i < 20; i++) await cms.create(configMap(`later-${i}`));
  await cms.delete('first');
  releaseWatch();
  await eventually(() => lists === 2, 'relist after 410');
  await eventually(() => seen.size === 20 && !seen.has('first'), 'cache caught up');
  t.is(lists, 2);
});
