// Integration tests of the API server against a real etcd: CRUD, optimistic concurrency,
// validation, selectors, paging, watch resume and 410, subresources, deletion.
import test from 'ava';
import { startTestApiServer, type TestApiServer } from '../lib/apiserver.js';
import { req, watchEvents } from '../lib/http.js';

let srv: TestApiServer;
let base = '';
test.before(async () => {
  srv = await startTestApiServer({ bookmarkIntervalMs: 200 });
  base = srv.url;
});
test.after.always(async () => {
  await srv?.cleanup();
});

let seq = 0;
const uniq = (p: string) => `${p}-${process.pid}-${++seq}`;

function newNamespace(name: string) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}
function newConfigMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = { a: '1' }) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}
function newDeployment(name: string, image = 'skiff.local/web:v1', replicas = 2) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
    },
  };
}
function newPod(name: string, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'p' } }, spec: { containers: [{ name: 'c', image: 'skiff.local/busybox:latest' }], ...extra } };
}

async function ns(): Promise<string> {
  const name = uniq('ns');
  const r = await req(base, 'POST', '/api/v1/namespaces', newNamespace(name));
  if (r.status !== 201) throw new Error(`namespace create: ${r.status} ${JSON.stringify(r.body)}`);
  return name;
}

test('create, get, update with generation, no-op update, stale resourceVersion → 409', async (t) => {
  const n = await ns();
  const created = await req(base, 'POST', `/apis/apps/v1/namespaces/${n}/deployments`, newDeployment('web'));
  t.is(created.status, 201, JSON.stringify(created.body));
  t.truthy(created.body.metadata.uid);
  t.is(created.body.metadata.generation, 1);
  t.is(created.body.spec.strategy.rollingUpdate.maxSurge, '25%');
  t.is(created.body.spec.revisionHistoryLimit, 10);
  const rv1 = created.body.metadata.resourceVersion;

  const got = await req(base, 'GET', `/apis/apps/v1/namespaces/${n}/deployments/web`);
  t.is(got.status, 200);
  t.is(got.body.metadata.resourceVersion, rv1);

  const changed = structuredClone(got.body);
  changed.spec.template.spec.containers[0].image = 'skiff.local/web:v2';
  const updated = await req(base, 'PUT', `/apis/apps/v1/namespaces/${n}/deployments/web`, changed);
  t.is(updated.status, 200, JSON.stringify(updated.body));
  t.is(updated.body.metadata.generation, 2);
  t.not(updated.body.metadata.resourceVersion, rv1);

  // Labels are metadata: no generation bump.
  const relabeled = structuredClone(updated.body);
  relabeled.metadata.labels.extra = 'x';
  const r3 = await req(base, 'PUT', `/apis/apps/v1/namespaces/${n}/deployments/web`, relabeled);
  t.is(r3.body.metadata.generation, 2);

  // Same object again: nothing changes, not even the resourceVersion.
  const noop = await req(base, 'PUT', `/apis/apps/v1/namespaces/${n}/deployments/web`, r3.body);
  t.is(noop.body.metadata.resourceVersion, r3.body.metadata.resourceVersion);

  // Writing with the first resourceVersion loses: 409 Conflict.
  const stale = await req(base, 'PUT', `/apis/apps/v1/namespaces/${n}/deployments/web`, { ...changed, metadata: { ...changed.metadata, resourceVersion: rv1 } });
  t.is(stale.status, 409);
  t.is(stale.body.kind, 'Status');
  t.is(stale.body.reason, 'Conflict');

  const dup = await req(base, 'POST', `/apis/apps/v1/namespaces/${n}/deployments`, newDeployment('web'));
  t.is(dup.status, 409);
  t.is(dup.body.reason, 'AlreadyExists');

  const missing = await req(base, 'GET', `/apis/apps/v1/namespaces/${n}/deployments/nope`);
  t.is(missing.status, 404);
  t.is(missing.body.reason, 'NotFound');
  t.is(missing.body.message, 'deployments.apps "nope" not found');
});

test('invalid objects get 422 naming every field path, malformed bodies 400, and nothing is stored', async (t) => {
  const n = await ns();
  const bad = newDeployment('Bad_Name');
  (bad.spec as any).replicas = -1;
  (bad.spec.template.spec.containers[0] as any).image = '';
  (bad.spec.template.spec.containers[0] as any).resources = { limits: { memory: '12QQ' } };
  (bad.spec as any).bogus = true;
  const r = await req(base, 'POST', `/apis/apps/v1/namespaces/${n}/deployments`, bad);
  t.is(r.status, 422, JSON.stringify(r.body));
  t.is(r.body.reason, 'Invalid');
  const fields = (r.body.details.causes as { field: string }[]).map((c) => c.field);
  t.true(fields.includes('spec.bogus'), fields.join(' '));
  t.true(fields.includes('spec.template.spec.containers[0].resources.limits[memory]'), fields.join(' '));
  // Structural errors are reported first; fix them and the semantic ones show.
  delete (bad.spec as any).bogus;
  bad.spec.template.spec.containers[0] = { name: 'web', image: '' } as any;
  const r2 = await req(base, 'POST', `/apis/apps/v1/namespaces/${n}/deployments`, bad);
  t.is(r2.status, 422);
  const fields2 = (r2.body.details.causes as { field: string }[]).map((c) => c.field);
  for (const f of ['metadata.name', 'spec.replicas', 'spec.template.spec.containers[0].image']) t.true(fields2.includes(f), `${f} in ${fields2.join(' ')}`);

  const malformed = await req(base, 'POST', `/apis/apps/v1/namespaces/${n}/deployments`, '{"apiVersion": "apps/v1", "kind": ');
  t.is(malformed.status, 400);
  t.is(malformed.body.reason, 'BadRequest');
  const badYaml = await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, 'a: [b\n  c: :', { 'content-type': 'application/yaml' });
  t.is(badYaml.status, 400);
  const proto = await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, 'xx', { 'content-type': 'application/vnd.kubernetes.protobuf' });
  t.is(proto.status, 400, 'protobuf without the "k8s\\0" prefix');
  t.is(proto.body.reason, 'BadRequest');
  const cbor = await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, 'xx', { 'content-type': 'application/cbor' });
  t.is(cbor.status, 415);

  const list = await req(base, 'GET', `/apis/apps/v1/namespaces/${n}/deployments`);
  t.is(list.body.items.length, 0);
});

test('YAML bodies, generateName, namespace lifecycle', async (t) => {
  const n = await ns();
  const y = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: cfg-\ndata:\n  k: v\n`;
  const r = await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, y, { 'content-type': 'application/yaml' });
  t.is(r.status, 201, JSON.stringify(r.body));
  t.regex(r.body.metadata.name, /^cfg-[a-z0-9]{5}$/);
  const noNs = await req(base, 'POST', `/api/v1/namespaces/does-not-exist-${seq}/configmaps`, newConfigMap('x'));
  t.is(noNs.status, 404);
  const mismatch = await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, { ...newConfigMap('y'), metadata: { name: 'y', namespace: 'other' } });
  t.is(mismatch.status, 400);
});

test('label and field selectors, limit and continue', async (t) => {
  const n = await ns();
  for (let i = 0; i < 7; i++) {
    const r = await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, newConfigMap(`cm-${i}`, { tier: i % 2 ? 'odd' : 'even', idx: String(i) }));
    t.is(r.status, 201);
  }
  const odd = await req(base, 'GET', `/api/v1/namespaces/${n}/configmaps?labelSelector=${encodeURIComponent('tier=odd')}`);
  t.deepEqual(odd.body.items.map((i: any) => i.metadata.name), ['cm-1', 'cm-3', 'cm-5']);
  const inSet = await req(base, 'GET', `/api/v1/namespaces/${n}/configmaps?labelSelector=${encodeURIComponent('idx in (0,6),tier!=odd')}`);
  t.deepEqual(inSet.body.items.map((i: any) => i.metadata.name), ['cm-0', 'cm-6']);
  const byName = await req(base, 'GET', `/api/v1/namespaces/${n}/configmaps?fieldSelector=${encodeURIComponent('metadata.name=cm-4')}`);
  t.deepEqual(byName.body.items.map((i: any) => i.metadata.name), ['cm-4']);
  const badField = await req(base, 'GET', `/api/v1/namespaces/${n}/configmaps?fieldSelector=spec.nope%3Dx`);
  t.is(badField.status, 400);

  const names: string[] = [];
  let cont = '';
  let pages = 0;
  do {
    const page = await req(base, 'GET', `/api/v1/namespaces/${n}/configmaps?limit=3&labelSelector=tier&${cont ? `continue=${cont}` : ''}`);
    t.is(page.status, 200);
    t.true(page.body.items.length <= 3);
    names.push(...page.body.items.map((i: any) => i.metadata.name));
    cont = page.body.metadata.continue ?? '';
    pages++;
  } while (cont && pages < 10);
  t.deepEqual(names, ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
  t.is(pages, 3);

  // Field selectors on events, as kubectl describe uses them.
  const ev = {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p1', namespace: n, uid: 'u1' }, reason: 'Test', message: 'hello', type: 'Normal',
  };
  t.is((await req(base, 'POST', `/api/v1/namespaces/${n}/events`, ev)).status, 201);
  const sel = encodeURIComponent(`involvedObject.name=p1,involvedObject.namespace=${n},involvedObject.kind=Pod,involvedObject.uid=u1`);
  const evs = await req(base, 'GET', `/api/v1/namespaces/${n}/events?fieldSelector=${sel}`);
  t.is(evs.body.items.length, 1);
});

test('watch: initial state, resume from a resourceVersion without gaps, selector transitions, 410 after compaction', async (t) => {
  const n = await ns();
  const first = await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, newConfigMap('w0', { app: 'w' }));
  const rv0 = first.body.metadata.resourceVersion;
  const written: string[] = [];
  for (let i = 1; i <= 20; i++) {
    const r = await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, newConfigMap(`w${i}`, { app: 'w' }));
    written.push(r.body.metadata.name);
  }
  // Resume from rv0: every later event exactly once, in order.
  const resumed = await watchEvents(base, `/api/v1/namespaces/${n}/configmaps?watch=true&resourceVersion=${rv0}`, (e) => e.length >= 20);
  t.is(resumed.status, 200);
  t.deepEqual(resumed.events.map((e) => e.object.metadata.name), written);
  t.true(resumed.events.every((e) => e.type === 'ADDED'));

  // Without a resourceVersion: the current state as ADDED events.
  const initial = await watchEvents(base, `/api/v1/namespaces/${n}/configmaps?watch=1`, (e) => e.length >= 21);
  t.is(initial.events.length, 21);

  // A label change moves an object out of a selector: the watcher sees DELETED.
  const sel = watchEvents(base, `/api/v1/namespaces/${n}/configmaps?watch=true&labelSelector=app%3Dw&resourceVersion=${resumed.events.at(-1).object.metadata.resourceVersion}`, (e) => e.length >= 1);
  await new Promise((r) => setTimeout(r, 200));
  await req(base, 'PATCH', `/api/v1/namespaces/${n}/configmaps/w3`, { metadata: { labels: { app: 'other' } } }, { 'content-type': 'application/merge-patch+json' });
  const moved = await sel;
  t.is(moved.events[0]?.type, 'DELETED');
  t.is(moved.events[0]?.object.metadata.name, 'w3');

  // Bookmarks when asked for.
  const bm = await watchEvents(base, `/api/v1/namespaces/${n}/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${rv0}`, (e) => e.some((x) => x.type === 'BOOKMARK'), 3000);
  t.true(bm.events.some((e) => e.type === 'BOOKMARK'));

  // Compaction: an old resourceVersion is gone.
  await srv.api.compact();
  const gone = await req(base, 'GET', `/api/v1/namespaces/${n}/configmaps?watch=true&resourceVersion=${rv0}`);
  t.is(gone.status, 410);
  t.is(gone.body.reason, 'Expired');
});

test('status and scale subresources, binding, finalizers and graceful pod deletion', async (t) => {
  const n = await ns();
  await req(base, 'POST', `/apis/apps/v1/namespaces/${n}/deployments`, newDeployment('d', 'img:1', 3));
  // PUT on the main resource ignores status; /status ignores spec.
  const d = (await req(base, 'GET', `/apis/apps/v1/namespaces/${n}/deployments/d`)).body;
  const withStatus = { ...d, status: { replicas: 3, readyReplicas: 2 } };
  const main = await req(base, 'PUT', `/apis/apps/v1/namespaces/${n}/deployments/d`, withStatus);
  t.is(main.body.status?.readyReplicas, undefined);
  const st = await req(base, 'PUT', `/apis/apps/v1/namespaces/${n}/deployments/d/status`, { ...main.body, spec: { ...main.body.spec, replicas: 9 }, status: { replicas: 3, readyReplicas: 2 } });
  t.is(st.status, 200, JSON.stringify(st.body));
  t.is(st.body.status.readyReplicas, 2);
  t.is(st.body.spec.replicas, 3);

  const scale = await req(base, 'GET', `/apis/apps/v1/namespaces/${n}/deployments/d/scale`);
  t.is(scale.body.kind, 'Scale');
  t.is(scale.body.spec.replicas, 3);
  t.is(scale.body.status.selector, 'app=d');
  const scaled = await req(base, 'PATCH', `/apis/apps/v1/namespaces/${n}/deployments/d/scale`, { spec: { replicas: 5 } }, { 'content-type': 'application/merge-patch+json' });
  t.is(scaled.body.spec.replicas, 5);
  t.is((await req(base, 'GET', `/apis/apps/v1/namespaces/${n}/deployments/d`)).body.spec.replicas, 5);
  const negative = await req(base, 'PATCH', `/apis/apps/v1/namespaces/${n}/deployments/d/scale`, { spec: { replicas: -1 } }, { 'content-type': 'application/merge-patch+json' });
  t.is(negative.status, 422);

  // Binding sets spec.nodeName once.
  await req(base, 'POST', `/api/v1/namespaces/${n}/pods`, newPod('p'));
  const bind = await req(base, 'POST', `/api/v1/namespaces/${n}/pods/p/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'node-a' } });
  t.is(bind.status, 201, JSON.stringify(bind.body));
  const bound = (await req(base, 'GET', `/api/v1/namespaces/${n}/pods/p`)).body;
  t.is(bound.spec.nodeName, 'node-a');
  t.is(bound.status.phase, 'Pending');
  t.true(bound.status.conditions.some((c: any) => c.type === 'PodScheduled' && c.status === 'True'));
  const again = await req(base, 'POST', `/api/v1/namespaces/${n}/pods/p/binding`, { target: { name: 'node-b' } });
  t.is(again.status, 409);

  // A bound pod is deleted gracefully: marked first, removed when the agent confirms with grace 0.
  const del = await req(base, 'DELETE', `/api/v1/namespaces/${n}/pods/p`);
  t.is(del.status, 202);
  t.truthy(del.body.metadata.deletionTimestamp);
  t.is(del.body.metadata.deletionGracePeriodSeconds, 30);
  t.is((await req(base, 'GET', `/api/v1/namespaces/${n}/pods/p`)).status, 200);
  const del0 = await req(base, 'DELETE', `/api/v1/namespaces/${n}/pods/p`, { gracePeriodSeconds: 0 });
  t.is(del0.status, 200);
  t.is((await req(base, 'GET', `/api/v1/namespaces/${n}/pods/p`)).status, 404);

  // Finalizers hold an object until they are removed.
  await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, { ...newConfigMap('held'), metadata: { name: 'held', finalizers: ['skiff.dev/test'] } });
  const held = await req(base, 'DELETE', `/api/v1/namespaces/${n}/configmaps/held`);
  t.is(held.status, 202);
  t.truthy(held.body.metadata.deletionTimestamp);
  const release = await req(base, 'PATCH', `/api/v1/namespaces/${n}/configmaps/held`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
  t.is(release.status, 200);
  t.is((await req(base, 'GET', `/api/v1/namespaces/${n}/configmaps/held`)).status, 404);

  // Foreground propagation adds the foregroundDeletion finalizer for the garbage collector.
  const fg = await req(base, 'DELETE', `/apis/apps/v1/namespaces/${n}/deployments/d`, { propagationPolicy: 'Foreground' });
  t.deepEqual(fg.body.metadata.finalizers, ['foregroundDeletion']);
});

test('patch: strategic merge by list keys, JSON patch, merge patch', async (t) => {
  const n = await ns();
  const d = newDeployment('sm');
  (d.spec.template.spec.containers as any[]).push({ name: 'side', image: 'side:1', env: [{ name: 'A', value: '1' }] });
  await req(base, 'POST', `/apis/apps/v1/namespaces/${n}/deployments`, d);
  const smp = { spec: { template: { spec: { containers: [{ name: 'side', image: 'side:2', env: [{ name: 'B', value: '2' }] }] } } } };
  const r = await req(base, 'PATCH', `/apis/apps/v1/namespaces/${n}/deployments/sm`, smp, { 'content-type': 'application/strategic-merge-patch+json' });
  t.is(r.status, 200, JSON.stringify(r.body));
  const cs = r.body.spec.template.spec.containers;
  t.deepEqual(cs.map((c: any) => `${c.name}=${c.image}`), ['web=skiff.local/web:v1', 'side=side:2']);
  t.deepEqual(cs[1].env.map((e: any) => e.name), ['A', 'B']);
  t.is(r.body.metadata.generation, 2);
  const del = await req(base, 'PATCH', `/apis/apps/v1/namespaces/${n}/deployments/sm`, { spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } } } }, { 'content-type': 'application/strategic-merge-patch+json' });
  t.deepEqual(del.body.spec.template.spec.containers.map((c: any) => c.name), ['web']);
  const jp = await req(base, 'PATCH', `/apis/apps/v1/namespaces/${n}/deployments/sm`, [{ op: 'replace', path: '/spec/replicas', value: 4 }], { 'content-type': 'application/json-patch+json' });
  t.is(jp.body.spec.replicas, 4);
  const badJp = await req(base, 'PATCH', `/apis/apps/v1/namespaces/${n}/deployments/sm`, [{ op: 'replace', path: '/spec/nope/x', value: 4 }], { 'content-type': 'application/json-patch+json' });
  t.true(badJp.status === 400 || badJp.status === 422, String(badJp.status));
  const unsupported = await req(base, 'PATCH', `/apis/apps/v1/namespaces/${n}/deployments/sm`, {}, { 'content-type': 'text/plain' });
  t.is(unsupported.status, 415);
});

test('tables, discovery, dryRun, health and metrics', async (t) => {
  const n = await ns();
  await req(base, 'POST', `/apis/apps/v1/namespaces/${n}/deployments`, newDeployment('tbl'));
  const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  const tbl = await req(base, 'GET', `/apis/apps/v1/namespaces/${n}/deployments?limit=500`, undefined, { accept });
  t.is(tbl.body.kind, 'Table');
  t.deepEqual(tbl.body.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
  t.deepEqual(tbl.body.rows[0].cells.slice(0, 4), ['tbl', '0/2', 0, 0]);
  t.is(tbl.body.rows[0].object.kind, 'PartialObjectMetadata');

  const apis = await req(base, 'GET', '/apis');
  t.true(apis.body.groups.some((g: any) => g.name === 'apps'));
  const core = await req(base, 'GET', '/api/v1');
  const pods = core.body.resources.find((r: any) => r.name === 'pods');
  t.deepEqual(pods.shortNames, ['po']);
  t.true(core.body.resources.some((r: any) => r.name === 'pods/log'));
  const apps = await req(base, 'GET', '/apis/apps/v1');
  t.true(apps.body.resources.some((r: any) => r.name === 'deployments/scale' && r.group === 'autoscaling'));

  const dry = await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps?dryRun=All`, newConfigMap('dry'));
  t.is(dry.status, 201);
  t.is((await req(base, 'GET', `/api/v1/namespaces/${n}/configmaps/dry`)).status, 404);

  t.is((await fetch(`${base}/healthz`)).status, 200);
  t.is((await fetch(`${base}/readyz`)).status, 200);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.regex(metrics, /apiserver_request_total\{verb="CREATE",resource="deployments"/);
  t.regex(metrics, /apiserver_request_duration_seconds_bucket/);
});

test('request bodies over 1.5 MiB are refused with 413', async (t) => {
  const n = await ns();
  const big = newConfigMap('big', {}, { blob: 'x'.repeat(2 * 1024 * 1024) });
  const r = await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, big);
  t.is(r.status, 413);
  t.is(r.body.reason, 'RequestEntityTooLarge');
});

test('services get distinct ClusterIPs and NodePorts; explicit ones are checked; deletion releases them', async (t) => {
  const n = await ns();
  const svc = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } });
  const ips = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const r = await req(base, 'POST', `/api/v1/namespaces/${n}/services`, svc(`s${i}`));
    t.is(r.status, 201, JSON.stringify(r.body));
    t.regex(r.body.spec.clusterIP, /^10\.43\.\d+\.\d+$/);
    t.deepEqual(r.body.spec.clusterIPs, [r.body.spec.clusterIP]);
    ips.add(r.body.spec.clusterIP);
  }
  t.is(ips.size, 5);
  const fixed = await req(base, 'POST', `/api/v1/namespaces/${n}/services`, svc('fixed', { clusterIP: '10.43.0.53' }));
  t.is(fixed.body.spec.clusterIP, '10.43.0.53');
  const clash = await req(base, 'POST', `/api/v1/namespaces/${n}/services`, svc('clash', { clusterIP: '10.43.0.53' }));
  t.is(clash.status, 422);
  t.is(clash.body.details.causes[0].field, 'spec.clusterIPs');
  const outside = await req(base, 'POST', `/api/v1/namespaces/${n}/services`, svc('outside', { clusterIP: '192.168.1.1' }));
  t.is(outside.status, 422);
  const headless = await req(base, 'POST', `/api/v1/namespaces/${n}/services`, svc('headless', { clusterIP: 'None' }));
  t.is(headless.body.spec.clusterIP, 'None');
  const np = await req(base, 'POST', `/api/v1/namespaces/${n}/services`, svc('np', { type: 'NodePort' }));
  t.true(np.body.spec.ports[0].nodePort >= 30000 && np.body.spec.ports[0].nodePort <= 32767);
  const npClash = await req(base, 'POST', `/api/v1/namespaces/${n}/services`, svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: np.body.spec.ports[0].nodePort }] }));
  t.is(npClash.status, 422);
  t.is(npClash.body.details.causes[0].field, 'spec.ports[0].nodePort');
  // The failed create did not keep an IP: deleting "fixed" frees 10.43.0.53 for the next one.
  t.is((await req(base, 'DELETE', `/api/v1/namespaces/${n}/services/fixed`)).status, 200);
  const reuse = await req(base, 'POST', `/api/v1/namespaces/${n}/services`, svc('reuse', { clusterIP: '10.43.0.53' }));
  t.is(reuse.status, 201, JSON.stringify(reuse.body));
});

test('pod admission defaults, job selector generation, and a re-applied service keeps its ClusterIP', async (t) => {
  const n = await ns();
  const pod = await req(base, 'POST', `/api/v1/namespaces/${n}/pods`, newPod('adm'));
  t.is(pod.status, 201, JSON.stringify(pod.body));
  t.is(pod.body.spec.serviceAccountName, 'default');
  t.is(pod.body.spec.priority, 0);
  t.is(pod.body.status.phase, 'Pending');
  t.is(pod.body.status.qosClass, 'BestEffort');
  const tol = pod.body.spec.tolerations.map((x: any) => `${x.key}:${x.effect}:${x.tolerationSeconds}`);
  t.deepEqual(tol, ['node.kubernetes.io/not-ready:NoExecute:300', 'node.kubernetes.io/unreachable:NoExecute:300']);
  const missingClass = await req(base, 'POST', `/api/v1/namespaces/${n}/pods`, newPod('prio', { priorityClassName: 'nope' }));
  t.is(missingClass.status, 403);
  t.is((await req(base, 'POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `high-${n}` }, value: 1000 })).status, 201);
  await new Promise((r) => setTimeout(r, 200));
  const prio = await req(base, 'POST', `/api/v1/namespaces/${n}/pods`, newPod('prio', { priorityClassName: `high-${n}` }));
  t.is(prio.body.spec.priority, 1000);

  const job = await req(base, 'POST', `/apis/batch/v1/namespaces/${n}/jobs`, {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'skiff.local/batch:latest' }] } } },
  });
  t.is(job.status, 201, JSON.stringify(job.body));
  t.is(job.body.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], job.body.metadata.uid);
  t.is(job.body.spec.template.metadata.labels['batch.kubernetes.io/job-name'], 'j');

  const svc = await req(base, 'POST', `/api/v1/namespaces/${n}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'keep' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
  const ip = svc.body.spec.clusterIP;
  const put = await req(base, 'PUT', `/api/v1/namespaces/${n}/services/keep`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'keep' }, spec: { selector: { app: 'y' }, ports: [{ port: 80 }] } });
  t.is(put.status, 200, JSON.stringify(put.body));
  t.is(put.body.spec.clusterIP, ip);
  t.is(put.body.spec.selector.app, 'y');
});

test('dryRun in DeleteOptions deletes nothing', async (t) => {
  const n = await ns();
  await req(base, 'POST', `/api/v1/namespaces/${n}/configmaps`, newConfigMap('keep'));
  const r = await req(base, 'DELETE', `/api/v1/namespaces/${n}/configmaps/keep`, { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] });
  t.is(r.status, 200);
  t.is((await req(base, 'GET', `/api/v1/namespaces/${n}/configmaps/keep`)).status, 200);
});
