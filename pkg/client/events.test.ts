import test from 'ava';
import type { KubeObject } from '../api/meta.js';
import { type CoreEvent, EventRecorder } from './events.js';
import { silentLogger } from './logger.js';
import { RestClient } from './rest.js';
import { newPod } from './testing/builders.js';
import { FakeApiServer } from './testing/fake_apiserver.js';
import { FakeClock } from './testing/fake_clock.js';

const EVENTS = '/v1/events';

async function setup(t: { teardown(fn: () => unknown): void }) {
  const api = new FakeApiServer();
  await api.start();
  const client = new RestClient({ server: api.url, maxRetries: 0 });
  const clock = new FakeClock(Date.UTC(2024, 0, 1, 12, 0, 0));
  const recorder = new EventRecorder({ client, component: 'skiff-scheduler', host: 'node-1', clock, logger: silentLogger() });
  t.teardown(async () => {
    client.close();
    await api.stop();
  });
  const events = (): CoreEvent[] => api.objects(EVENTS) as unknown as CoreEvent[];
  return { api, clock, recorder, events };
}

function pod(name = 'web-1'): KubeObject {
  return newPod(name, { namespace: 'shop', uid: `uid-${name}`, resourceVersion: '7' });
}

test('an event is written with its object reference, source, timestamps and count 1', async (t) => {
  const { recorder, events } = await setup(t);
  recorder.event(pod(), 'Normal', 'Scheduled', 'Successfully assigned shop/web-1 to node-1');
  await recorder.flush();
  const [e] = events();
  t.is(events().length, 1);
  t.is(e.metadata.namespace, 'shop');
  t.regex(e.metadata.name, /^web-1\.[0-9a-f]+$/);
  t.deepEqual(e.involvedObject, { kind: 'Pod', namespace: 'shop', name: 'web-1', uid: 'uid-web-1', apiVersion: 'v1', resourceVersion: '7' });
  t.is(e.reason, 'Scheduled');
  t.is(e.type, 'Normal');
  t.deepEqual(e.source, { component: 'skiff-scheduler', host: 'node-1' });
  t.is(e.reportingComponent, 'skiff-scheduler');
  t.is(e.reportingInstance, 'node-1');
  t.is(e.firstTimestamp, '2024-01-01T12:00:00Z');
  t.is(e.lastTimestamp, '2024-01-01T12:00:00Z');
  t.is(e.count, 1);
});

test('repeats within 10 minutes are aggregated by PATCHing the count; later ones start a new Event', async (t) => {
  const { api, clock, recorder, events } = await setup(t);
  recorder.event(pod(), 'Warning', 'BackOff', 'Back-off restarting failed container');
  clock.step(60_000);
  recorder.event(pod(), 'Warning', 'BackOff', 'Back-off restarting failed container');
  clock.step(9 * 60_000);
  recorder.event(pod(), 'Warning', 'BackOff', 'Back-off restarting failed container');
  await recorder.flush();
  t.is(events().length, 1);
  t.is(events()[0].count, 3);
  t.is(events()[0].firstTimestamp, '2024-01-01T12:00:00Z');
  t.is(events()[0].lastTimestamp, '2024-01-01T12:10:00Z');
  const patches = api.requests.filter((r) => r.method === 'PATCH');
  t.is(patches.length, 2);
  t.is(patches[0].headers['content-type'], 'application/merge-patch+json');

  recorder.event(pod(), 'Warning', 'BackOff', 'a different message');
  clock.step(10 * 60_000 + 1); // past the window since the last repeat
  recorder.event(pod(), 'Warning', 'BackOff', 'Back-off restarting failed container');
  await recorder.flush();
  t.is(events().length, 3);
  t.deepEqual(events().map((e) => e.count).sort(), [1, 1, 3]);
  t.is(new Set(events().map((e) => e.metadata.name)).size, 3, 'names are unique');
});

test('if the aggregated Event is gone, the next repeat creates a new one', async (t) => {
  const { api, recorder, events } = await setup(t);
  recorder.event(pod(), 'Normal', 'Pulled', 'pulled');
  await recorder.flush();
  api.remove(EVENTS, 'shop', events()[0].metadata.name);
  recorder.event(pod(), 'Normal', 'Pulled', 'pulled');
  await recorder.flush();
  t.is(events().length, 1);
  t.is(events()[0].count, 1);
});

test('each object may burst 25 events, then gets one more per 5 minutes; other objects are unaffected', async (t) => {
  const { clock, recorder, events } = await setup(t);
  for (let i = 0; i < 40; i++) recorder.event(pod(), 'Normal', 'Flapping', `change ${i}`);
  recorder.event(pod('other'), 'Normal', 'Flapping', 'change');
  await recorder.flush();
  t.is(events().filter((e) => e.involvedObject.name === 'web-1').length, 25);
  t.is(events().filter((e) => e.involvedObject.name === 'other').length, 1);

  clock.step(299_000);
  recorder.event(pod(), 'Normal', 'Flapping', 'still limited');
  clock.step(1_000);
  recorder.event(pod(), 'Normal', 'Flapping', 'one token refilled');
  recorder.event(pod(), 'Normal', 'Flapping', 'but only one');
  await recorder.flush();
  const messages = events().filter((e) => e.involvedObject.name === 'web-1').map((e) => e.message);
  t.is(messages.length, 26);
  t.true(messages.includes('one token refilled'));
  t.false(messages.includes('still limited'));
});

test('cluster-scoped objects get their events in the default namespace; write failures do not throw', async (t) => {
  const { api, recorder, events } = await setup(t);
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n1' } };
  recorder.event(node, 'Normal', 'NodeReady', 'Node node-1 status is now: NodeReady');
  await recorder.flush();
  t.is(events()[0].metadata.namespace, 'default');
  t.is(events()[0].involvedObject.namespace, undefined);

  api.failNext(1, { status: 500 });
  recorder.event(node, 'Warning', 'Broken', 'x');
  await t.notThrowsAsync(recorder.flush());
  t.is(events().length, 1);
});
