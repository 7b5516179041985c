import test from 'ava';
import type { Pod } from '../../api/core/pod-types.js';
import { rfc3339 } from '../../api/meta.js';
import { newPod } from '../testing/builders.js';
import { startFakeEnv } from '../testing/env.js';
import { PodGC } from './podgc.js';

test('terminated pods over the threshold go oldest first', async (t) => {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  for (let i = 0; i < 5; i++) env.server.seed('/v1/pods', newPod(`done-${i}`, { phase: 'Succeeded', created: env.clock.now() - (10 - i) * 1000 }));
  env.server.seed('/v1/pods', newPod('running', { phase: 'Running' }));
  const gc = new PodGC(env.ctx, { terminatedPodThreshold: 3 });
  await env.start();
  t.deepEqual((await gc.gc()).sort(), ['default/done-0', 'default/done-1']);
  t.is(env.server.objects('/v1/pods').length, 4);
});

test('pods on a node that is gone are deleted after the quarantine; unscheduled terminating pods at once', async (t) => {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  env.server.seed('/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'alive' } });
  env.server.seed('/v1/pods', newPod('on-alive', { nodeName: 'alive', phase: 'Running' }));
  env.server.seed('/v1/pods', newPod('on-gone', { nodeName: 'gone', phase: 'Running' }));
  const stuck: Pod = { ...newPod('never-scheduled'), metadata: { ...newPod('never-scheduled').metadata, deletionTimestamp: rfc3339(new Date(env.clock.now())) } };
  env.server.seed('/v1/pods', stuck);
  const gc = new PodGC(env.ctx, { quarantineMs: 40_000 });
  await env.start();
  t.deepEqual(await gc.gc(), ['default/never-scheduled']);
  env.clock.step(40_000);
  t.deepEqual(await gc.gc(), ['default/on-gone']);
  t.deepEqual(env.server.objects('/v1/pods').map((p) => p.metadata.name), ['on-alive']);
});
