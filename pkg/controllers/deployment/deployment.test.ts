import test from 'ava';
import type { Deployment } from '../../api/apps/deployment.js';
import type { ReplicaSet } from '../../api/apps/replicaset.js';
import { getCondition } from '../../api/kind.js';
import { newDeployment } from '../testing/builders.js';
import { type FakeEnv, startFakeEnv } from '../testing/env.js';
import { AUTO_ROLLBACK_ANNOTATION, POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION } from './annotations.js';
import { DeploymentController } from './deployment.js';
import { withoutHash } from './hash.js';

const rsList = (env: FakeEnv) => (env.server.objects('apps/v1/replicasets') as ReplicaSet[]).sort((a, b) => (a.metadata.annotations?.[REVISION_ANNOTATION] ?? '').localeCompare(b.metadata.annotations?.[REVISION_ANNOTATION] ?? ''));
const deployment = (env: FakeEnv) => env.server.objects('apps/v1/deployments')[0] as Deployment;

// playReplicaSets stands in for the ReplicaSet controller: every ReplicaSet gets its pods, and
// they become available unless failing says otherwise.
function playReplicaSets(env: FakeEnv, failing: (rs: ReplicaSet) => boolean = () => false): void {
  for (const rs of rsList(env)) {
    const n = rs.spec.replicas ?? 0;
    const available = failing(rs) ? 0 : n;
    env.server.seed('apps/v1/replicasets', { ...rs, status: { replicas: n, readyReplicas: available, availableReplicas: available, observedGeneration: rs.metadata.generation } });
  }
}

async function setup(t: { teardown(fn: () => Promise<void>): void }, d: Deployment): Promise<{ env: FakeEnv; c: DeploymentController }> {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  env.server.seed('apps/v1/deployments', d);
  const c = new DeploymentController(env.ctx);
  await env.start();
  return { env, c };
}

async function step(env: FakeEnv, c: DeploymentController, failing?: (rs: ReplicaSet) => boolean): Promise<unknown> {
  await env.settle();
  const result = await c.sync('default/web');
  await env.settle();
  playReplicaSets(env, failing);
  await env.settle();
  return result;
}

function setImage(env: FakeEnv, image: string): void {
  const d = structuredClone(deployment(env));
  d.spec.template.spec.containers[0].image = image;
  d.metadata.generation = (d.metadata.generation ?? 1) + 1;
  env.server.seed('apps/v1/deployments', d);
}

test('a new Deployment gets a ReplicaSet named by its template hash, revision 1', async (t) => {
  const { env, c } = await setup(t, newDeployment('web', 3));
  await step(env, c);
  const [rs] = rsList(env);
  const hash = rs.spec.template?.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL];
  t.truthy(hash);
  t.is(rs.metadata.name, `web-${hash}`);
  t.is(rs.spec.selector.matchLabels?.[POD_TEMPLATE_HASH_LABEL], hash);
  t.is(rs.spec.replicas, 3);
  t.is(rs.metadata.annotations?.[REVISION_ANNOTATION], '1');
  t.is(rs.metadata.ownerReferences?.[0].kind, 'Deployment');
  await step(env, c);
  const d = deployment(env);
  t.is(d.metadata.annotations?.[REVISION_ANNOTATION], '1');
  t.like(d.status, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, unavailableReplicas: 0 });
  t.is(getCondition(d.status, 'Available')?.status, 'True');
  t.is(getCondition(d.status, 'Progressing')?.reason, 'NewReplicaSetAvailable');
});

test('a rolling update never plans more than replicas + maxSurge or fewer than replicas - maxUnavailable available', async (t) => {
  const d = newDeployment('web', 10);
  d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } };
  const { env, c } = await setup(t, d);
  await step(env, c);
  await step(env, c);
  setImage(env, 'registry.local/app:2');
  for (let i = 0; i < 30; i++) {
    await step(env, c);
    const rss = rsList(env);
    const total = rss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    t.true(total <= 12, `total ${total}`);
    const available = rss.reduce((n, rs) => n + Math.min(rs.spec.replicas ?? 0, rs.status?.availableReplicas ?? 0), 0);
    t.true(available >= 9, `available ${available}`);
    if (rss.length === 2 && rss[0].spec.replicas === 0 && rss[1].spec.replicas === 10) break;
  }
  const [old, current] = rsList(env);
  t.is(old.spec.replicas, 0);
  t.is(current.spec.replicas, 10);
  t.is(current.metadata.annotations?.[REVISION_ANNOTATION], '2');
  await step(env, c);
  t.is(deployment(env).metadata.annotations?.[REVISION_ANNOTATION], '2');
  t.is(getCondition(deployment(env).status, 'Progressing')?.reason, 'NewReplicaSetAvailable');
});

test('rolling back to an old template reuses its ReplicaSet as the next revision', async (t) => {
  const { env, c } = await setup(t, newDeployment('web', 2));
  await step(env, c);
  setImage(env, 'registry.local/app:2');
  for (let i = 0; i < 6; i++) await step(env, c);
  // What `kubectl rollout undo` does: copy revision 1's template back into the Deployment.
  const rev1 = rsList(env).find((rs) => rs.metadata.annotations?.[REVISION_ANNOTATION] === '1') as ReplicaSet;
  const d = structuredClone(deployment(env));
  d.spec.template = withoutHash(rev1.spec.template as never);
  env.server.seed('apps/v1/deployments', d);
  for (let i = 0; i < 6; i++) await step(env, c);
  const back = env.server.objects('apps/v1/replicasets').find((rs) => rs.metadata.uid === rev1.metadata.uid) as ReplicaSet;
  t.is(back.metadata.annotations?.[REVISION_ANNOTATION], '3');
  t.is(back.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  t.is(back.spec.replicas, 2);
  t.is(env.server.objects('apps/v1/replicasets').length, 2);
});

test('a paused Deployment does not roll out; resuming continues', async (t) => {
  const { env, c } = await setup(t, newDeployment('web', 2));
  await step(env, c);
  const d = structuredClone(deployment(env));
  d.spec.paused = true;
  env.server.seed('apps/v1/deployments', d);
  setImage(env, 'registry.local/app:2');
  await step(env, c);
  t.is(rsList(env).length, 1);
  t.is(getCondition(deployment(env).status, 'Progressing')?.reason, 'DeploymentPaused');
  const resumed = structuredClone(deployment(env));
  resumed.spec.paused = false;
  env.server.seed('apps/v1/deployments', resumed);
  await step(env, c);
  t.is(rsList(env).length, 2);
});

test('a stuck rollout passes its progress deadline; with auto-rollback it returns to the previous template', async (t) => {
  const d = newDeployment('web', 2);
  d.spec.progressDeadlineSeconds = 30;
  d.metadata.annotations = { [AUTO_ROLLBACK_ANNOTATION]: 'true' };
  const { env, c } = await setup(t, d);
  await step(env, c);
  await step(env, c);
  setImage(env, 'registry.local/app:broken');
  const broken = (rs: ReplicaSet) => rs.spec.template?.spec.containers[0].image === 'registry.local/app:broken';
  const result = (await step(env, c, broken)) as { requeueAfter: number };
  t.true(result.requeueAfter > 0 && result.requeueAfter <= 31_000);
  await step(env, c, broken);
  t.not(getCondition(deployment(env).status, 'Progressing')?.reason, 'ProgressDeadlineExceeded');
  // Make the last progress look old: move the fake clock past the deadline.
  env.clock.step(31_000);
  const before = Date.parse(getCondition(deployment(env).status, 'Progressing')?.lastUpdateTime ?? '');
  t.true(before + 30_000 < env.clock.now());
  await step(env, c, broken);
  t.is(getCondition(deployment(env).status, 'Progressing')?.reason, 'ProgressDeadlineExceeded');
  t.is(deployment(env).spec.template.spec.containers[0].image, 'registry.local/app:1');
  t.true(env.recorder.recorded.some((e) => e.reason === 'DeploymentRollback'));
  for (let i = 0; i < 5; i++) await step(env, c, broken);
  const current = rsList(env).find((rs) => !broken(rs)) as ReplicaSet;
  t.is(current.metadata.annotations?.[REVISION_ANNOTATION], '3');
  t.is(current.spec.replicas, 2);
  t.is(getCondition(deployment(env).status, 'Progressing')?.reason, 'NewReplicaSetAvailable');
});

test('Recreate scales the old ReplicaSet to zero before creating the new one', async (t) => {
  const d = newDeployment('web', 3);
  d.spec.strategy = { type: 'Recreate' };
  const { env, c } = await setup(t, d);
  await step(env, c);
  setImage(env, 'registry.local/app:2');
  await env.settle();
  await c.sync('default/web');
  t.deepEqual(rsList(env).map((rs) => rs.spec.replicas), [0]);
  await step(env, c);
  await step(env, c);
  t.deepEqual(rsList(env).map((rs) => rs.spec.replicas), [0, 3]);
});

test('revisionHistoryLimit deletes the oldest idle ReplicaSets', async (t) => {
  const d = newDeployment('web', 1);
  d.spec.revisionHistoryLimit = 1;
  const { env, c } = await setup(t, d);
  await step(env, c);
  for (const image of ['a', 'b', 'c']) {
    setImage(env, `registry.local/app:${image}`);
    for (let i = 0; i < 5; i++) await step(env, c);
  }
  const revisions = rsList(env).map((rs) => rs.metadata.annotations?.[REVISION_ANNOTATION]);
  t.deepEqual(revisions, ['3', '4']);
});
