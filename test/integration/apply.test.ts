// Server-side apply: managedFields per manager, conflicts between managers (409 naming the
// field) unless forced, and fields a manager stops applying are removed.
import test from 'ava';
import { startTestApiServer, type TestApiServer } from '../lib/apiserver.js';
import { req } from '../lib/http.js';

let srv: TestApiServer;
test.before(async () => {
  srv = await startTestApiServer();
});
test.after.always(async () => {
  await srv?.cleanup();
});

const APPLY = { 'content-type': 'application/apply-patch+yaml' };

function deployment(replicas: number | undefined, env: { name: string; value: string }[], labels: Record<string, string> = {}) {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'ssa' } },
    template: { metadata: { labels: { app: 'ssa' } }, spec: { containers: [{ name: 'web', image: 'skiff.local/web:v1', env }] } },
  };
  if (replicas !== undefined) spec.replicas = replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa', labels }, spec };
}

test('server-side apply: create, ownership, conflicts, force, removal of fields no longer applied', async (t) => {
  const base = srv.url;
  const path = '/apis/apps/v1/namespaces/default/deployments/ssa';
  const noManager = await req(base, 'PATCH', path, deployment(2, []), APPLY);
  t.is(noManager.status, 400);

  const created = await req(base, 'PATCH', `${path}?fieldManager=alice`, deployment(2, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], { team: 'x' }), APPLY);
  t.is(created.status, 201, JSON.stringify(created.body));
  t.is(created.body.spec.replicas, 2);
  const alice = created.body.metadata.managedFields.find((m: any) => m.manager === 'alice');
  t.is(alice.operation, 'Apply');
  t.truthy(alice.fieldsV1['f:spec']['f:replicas']);
  t.falsy(alice.fieldsV1['f:spec']['f:strategy'], 'defaults are not owned by the applier');

  // Bob applies a different replicas: conflict naming the field.
  const bob = await req(base, 'PATCH', `${path}?fieldManager=bob`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa' }, spec: { replicas: 5 } }, APPLY);
  t.is(bob.status, 409, JSON.stringify(bob.body));
  t.is(bob.body.reason, 'Conflict');
  t.is(bob.body.details.causes[0].field, '.spec.replicas');
  t.regex(bob.body.message, /conflict with "alice"/);
  // Same value: shared ownership, no conflict.
  const same = await req(base, 'PATCH', `${path}?fieldManager=bob`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa' }, spec: { replicas: 2 } }, APPLY);
  t.is(same.status, 200, JSON.stringify(same.body));
  // Forced: bob takes replicas.
  const forced = await req(base, 'PATCH', `${path}?fieldManager=bob&force=true`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa' }, spec: { replicas: 5 } }, APPLY);
  t.is(forced.status, 200, JSON.stringify(forced.body));
  t.is(forced.body.spec.replicas, 5);
  const aliceAfter = forced.body.metadata.managedFields.find((m: any) => m.manager === 'alice');
  t.falsy(aliceAfter.fieldsV1['f:spec']['f:replicas']);

  // Alice re-applies without env B, without the label and without replicas: those she alone owned go; replicas (bob's) stays.
  const again = await req(base, 'PATCH', `${path}?fieldManager=alice`, deployment(undefined, [{ name: 'A', value: '1' }]), APPLY);
  t.is(again.status, 200, JSON.stringify(again.body));
  t.deepEqual(again.body.spec.template.spec.containers[0].env.map((e: any) => e.name), ['A']);
  t.is(again.body.metadata.labels?.team, undefined);
  t.is(again.body.spec.replicas, 5);

  // An ordinary update (merge patch by "carol") takes ownership of what it changed.
  const carol = await req(base, 'PATCH', `${path}?fieldManager=carol`, { spec: { template: { spec: { containers: [{ name: 'web', image: 'skiff.local/web:v2' }] } } } }, { 'content-type': 'application/strategic-merge-patch+json' });
  t.is(carol.status, 200);
  const carolEntry = carol.body.metadata.managedFields.find((m: any) => m.manager === 'carol');
  t.is(carolEntry.operation, 'Update');
  const aliceImage = await req(base, 'PATCH', `${path}?fieldManager=alice`, deployment(undefined, [{ name: 'A', value: '1' }]), APPLY);
  t.is(aliceImage.status, 409, 'alice applying image v1 now conflicts with carol');
  t.regex(aliceImage.body.details.causes[0].field, /\.spec\.template\.spec\.containers\[name="web"\]\.image/);
});
