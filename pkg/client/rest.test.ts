import test from 'ava';
import { isAlreadyExists, isConflict, isNotFound, StatusError } from '../api/errors.js';
import type { KubeObject, WatchEvent } from '../api/meta.js';
import { Resources } from './resources.js';
import { isRetryable, RestClient } from './rest.js';
import { FakeApiServer } from './testing/fake_apiserver.js';
import { newConfigMap, newPod } from './testing/builders.js';

async function setup(t: { teardown(fn: () => unknown): void }, config: Partial<ConstructorParameters<typeof RestClient>[0]> = {}) {
  const api = new FakeApiServer();
  await api.start();
  const client = new RestClient({ server: api.url, retryInitialMs: 10, retryMaxMs: 50, ...config });
  t.teardown(async () => {
    client.close();
    await api.stop();
  });
  return { api, client };
}

test('create, get, update with resourceVersion, updateStatus, delete; errors are StatusErrors', async (t) => {
  const { client } = await setup(t, { token: 'abc' });
  const pods = client.resource<KubeObject>(Resources.pods).namespace('ns1');
  const created = await pods.create(newPod('web'));
  t.is(created.metadata.namespace, 'ns1');
  t.truthy(created.metadata.uid);
  const got = await pods.get('web');
  t.is(got.metadata.resourceVersion, created.metadata.resourceVersion);

  const err = await t.throwsAsync(pods.create(newPod('web')));
  t.true(err instanceof StatusError && isAlreadyExists(err));
  t.true(isNotFound(await t.throwsAsync(pods.get('nope'))));

  const updated = await pods.update({ ...got, metadata: { ...got.metadata, labels: { a: 'b' } } });
  t.deepEqual(updated.metadata.labels, { a: 'b' });
  t.true(isConflict(await t.throwsAsync(pods.update(got))), 'stale resourceVersion is a 409 Conflict');

  const withStatus = await pods.updateStatus({ ...updated, status: { phase: 'Running' } });
  t.deepEqual(withStatus.status, { phase: 'Running' });
  await pods.delete('web');
  t.true(isNotFound(await t.throwsAsync(pods.get('web'))));
});

test('requests carry the bearer token; cluster-scoped and grouped paths are built correctly', async (t) => {
  const { api, client } = await setup(t, { token: 's3cret' });
  await client.resource(Resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  await client.resource(Resources.deployments).namespace('prod').list();
  t.is(api.requests[0].headers.authorization, 'Bearer s3cret');
  t.is(api.requests[0].path, '/api/v1/nodes');
  t.is(api.requests[1].path, '/apis/apps/v1/namespaces/prod/deployments');
});

test('patch sends each content type and the server applies it', async (t) => {
  const { api, client } = await setup(t);
  const cms = client.resource<KubeObject>(Resources.configmaps).namespace('default');
  await cms.create(newConfigMap('c', { a: '1' }));
  await cms.patch('c', 'merge', { data: { b: '2' } });
  await cms.patch('c', 'json', [{ op: 'replace', path: '/data/a', value: '9' }]);
  await cms.patch('c', 'strategic', { metadata: { labels: { x: 'y' } } });
  const applied = await cms.patch('c', 'apply', 'data:\n  c: "3"\n', { fieldManager: 'test', force: true });
  t.deepEqual(applied.data, { a: '9', b: '2', c: '3' });
  t.deepEqual(applied.metadata.labels, { x: 'y' });
  const types = api.requests.filter((r) => r.method === 'PATCH').map((r) => r.headers['content-type']);
  t.deepEqual(types, [
    'application/merge-patch+json',
    'application/json-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
  ]);
  t.is(api.requests.at(-1)?.query.get('fieldManager'), 'test');
  t.is(api.requests.at(-1)?.query.get('force'), 'true');
});

test('list filters by label and field selectors; listAll follows continue tokens', async (t) => {
  const { api, client } = await setup(t);
  const pods = client.resource<KubeObject>(Resources.pods);
  for (let i = 0; i < 7; i++) await pods.namespace('ns').create(newPod(`p${i}`, { labels: { app: i % 2 ? 'odd' : 'even' } }));
  await pods.namespace('other').create(newPod('x'));

  const odd = await pods.namespace('ns').list({ labelSelector: { app: 'odd' } });
  t.deepEqual(odd.items.map((p) => p.metadata.name), ['p1', 'p3', 'p5']);
  const byName = await pods.list({ fieldSelector: 'metadata.name=x' });
  t.deepEqual(byName.items.map((p) => p.metadata.namespace), ['other']);

  const page = await pods.namespace('ns').list({ limit: 3 });
  t.is(page.items.length, 3);
  t.truthy(page.metadata.continue);
  const all = await pods.listAll({ limit: 3 });
  t.is(all.items.length, 8);
  t.is(all.metadata.continue, undefined);
  t.is(all.metadata.resourceVersion, api.revision);
  t.is(api.requests.filter((r) => r.query.get('limit') === '3' && r.path === '/api/v1/pods').length, 3);

  await pods.namespace('ns').deleteCollection({ labelSelector: 'app=even' });
  t.is((await pods.namespace('ns').list()).items.length, 3);
});

test('watch streams events from a resourceVersion and ends when aborted', async (t) => {
  const { api, client } = await setup(t);
  const pods = client.resource<KubeObject>(Resources.pods).namespace('default');
  const first = await pods.create(newPod('a'));
  const controller = new AbortController();
  const seen: WatchEvent<KubeObject>[] = [];
  const done = (async () => {
    for await (const ev of pods.watch({ resourceVersion: first.metadata.resourceVersion, allowWatchBookmarks: true, signal: controller.signal })) {
      seen.push(ev);
      if (seen.length === 3) controller.abort();
    }
  })();
  await waitFor(() => api.watchCount === 1);
  await pods.create(newPod('b'));
  api.sendBookmarks();
  await pods.delete('a');
  await done;
  t.deepEqual(seen.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`), ['ADDED b', 'BOOKMARK ', 'DELETED a']);
  t.is(seen[1].object.metadata.resourceVersion, String(Number(first.metadata.resourceVersion) + 1));
  await waitFor(() => api.watchCount === 0);
  t.pass();
});

test('watch returns normally when the server closes the stream, and breaking out closes it', async (t) => {
  const { api, client } = await setup(t);
  const pods = client.resource<KubeObject>(Resources.pods);
  const events: string[] = [];
  const done = (async () => {
    for await (const ev of pods.watch({ resourceVersion: api.revision })) events.push(ev.type);
  })();
  await waitFor(() => api.watchCount === 1);
  await pods.namespace('x').create(newPod('a'));
  await waitFor(() => events.length === 1);
  api.closeWatches();
  await done;
  t.deepEqual(events, ['ADDED']);

  const iter = pods.watch({});
  await pods.namespace('x').create(newPod('b'));
  for await (const ev of iter) {
    t.is(ev.type, 'ADDED');
    break;
  }
  await waitFor(() => api.watchCount === 0);
});

test('a dropped watch connection throws to the consumer', async (t) => {
  const { api, client } = await setup(t);
  const iter = client.resource(Resources.pods).watch({ resourceVersion: api.revision });
  const done = (async () => {
    for await (const _ of iter) {
      /* no events expected */
    }
  })();
  await waitFor(() => api.watchCount === 1);
  api.dropWatches();
  await t.throwsAsync(done);
});

test('retries ECONNREFUSED until the server is up, then succeeds', async (t) => {
  const api = new FakeApiServer();
  await api.start();
  await api.stop(); // keep the port, nothing listens now
  const client = new RestClient({ server: api.url, retryInitialMs: 20, retryMaxMs: 100, maxRetries: 10 });
  t.teardown(async () => {
    client.close();
    await api.stop();
  });
  setTimeout(() => void api.start(), 150);
  const list = await client.resource(Resources.pods).list();
  t.deepEqual(list.items, []);
  t.is(api.requests.length, 1, 'only the successful attempt reached the server');
});

test('gives up after maxRetries connection failures', async (t) => {
  const api = new FakeApiServer();
  await api.start();
  await api.stop();
  const client = new RestClient({ server: api.url, retryInitialMs: 5, retryMaxMs: 10, maxRetries: 2 });
  t.teardown(() => client.close());
  const err = await t.throwsAsync(client.resource(Resources.pods).list());
  t.is((err as { code?: string }).code, 'ECONNREFUSED');
});

test('429 with Retry-After and 503 are retried for GET; 503 on POST and 409 are not', async (t) => {
  const { api, client } = await setup(t);
  api.failNext(1, { status: 429, retryAfterSeconds: 0.05 });
  api.failNext(1, { status: 503 }, (r) => r.method === 'GET');
  const started = Date.now();
  await client.resource(Resources.pods).list();
  t.true(Date.now() - started >= 45, 'waited for Retry-After');
  t.is(api.requests.length, 3);

  api.failNext(1, { status: 503 });
  const err = await t.throwsAsync(client.resource(Resources.pods).namespace('d').create(newPod('p')));
  t.is((err as StatusError).code, 503);
  t.is(api.objects('/v1/pods').length, 0);
});

test('connection resets are retried for GET but not POST', async (t) => {
  const { api, client } = await setup(t);
  api.failNext(2, { reset: true });
  t.deepEqual((await client.resource(Resources.pods).list()).items, []);
  api.failNext(1, { reset: true });
  await t.throwsAsync(client.resource(Resources.pods).namespace('d').create(newPod('p')));
  t.false(isRetryable('POST', { error: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }));
  t.true(isRetryable('POST', { error: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }));
});

test('request timeout aborts a hung request', async (t) => {
  const { api, client } = await setup(t, { timeoutMs: 100, maxRetries: 0 });
  api.failNext(1, { hang: true });
  const err = await t.throwsAsync(client.request({ method: 'GET', path: '/api/v1/pods' }));
  t.is((err as { code?: string }).code, 'ETIMEDOUT');
  // A watch never finishes its body: as a plain request its headers and first events arrive,
  // then nothing, and the timeout still covers the body.
  api.seed('/v1/pods', newPod('p'));
  const started = Date.now();
  const slow = await t.throwsAsync(client.request({ method: 'GET', path: '/api/v1/pods', query: { watch: 'true' } }));
  t.is((slow as { code?: string }).code, 'ETIMEDOUT');
  t.true(Date.now() - started < 2000);
});

test('the request timeout does not cut a quiet watch stream', async (t) => {
  const { api, client } = await setup(t, { timeoutMs: 2000 });
  const stop = new AbortController();
  const events: string[] = [];
  const done = (async () => {
    for await (const ev of client.resource(Resources.pods).watch({ resourceVersion: api.revision, signal: stop.signal })) {
      events.push(ev.object.metadata.name ?? '');
      stop.abort();
    }
  })();
  await waitFor(() => api.watchCount === 1);
  await new Promise((r) => setTimeout(r, 2600)); // well past the request timeout
  api.seed('/v1/pods', newPod('late'));
  await done;
  t.deepEqual(events, ['late']);
});

test('subresources: scale, binding, eviction, log', async (t) => {
  const { api, client } = await setup(t);
  const deploys = client.resource<KubeObject>(Resources.deployments).namespace('d');
  await deploys.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1 } });
  const scale = await deploys.getScale('web');
  t.is(scale.spec.replicas, 1);
  await deploys.updateScale('web', { ...scale, spec: { replicas: 4 } });
  t.is(((await deploys.get('web')).spec as { replicas: number }).replicas, 4);

  const pods = client.resource<KubeObject>(Resources.pods).namespace('d');
  const pod = await pods.create(newPod('p'));
  await pods.bind('p', 'node-1', { uid: pod.metadata.uid });
  t.is(((await pods.get('p')).spec as { nodeName: string }).nodeName, 'node-1');
  t.true(isConflict(await t.throwsAsync(pods.bind('p', 'node-2'))));

  api.logs.set('d/p', 'line 1\nline 2\n');
  t.is(await pods.log('p', { tailLines: 10 }), 'line 1\nline 2\n');
  const stream = await pods.logStream('p');
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  t.is(text, 'line 1\nline 2\n');

  await pods.evict('p');
  t.true(isNotFound(await t.throwsAsync(pods.get('p'))));
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
