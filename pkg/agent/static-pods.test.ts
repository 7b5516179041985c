import test from 'ava';
import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Pod } from '../api/core/pod-types.js';
import { silentLogger } from '../client/logger.js';
import { MirrorPods } from './mirror-pods.js';
import {
  ConfigHashAnnotation,
  ConfigMirrorAnnotation,
  ConfigSourceAnnotation,
  isManifestFile,
  isMirrorOf,
  isMirrorPod,
  isStaticPod,
  mirrorPodFor,
  parseManifest,
  StaticPodSource,
  staticPodHash,
  staticPodName,
} from './static-pods.js';

const web = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: { app: web }
spec:
  containers:
  - name: c
    image: skiff.local/busybox:latest
    command: [sleep, "3600"]
`;

test('staticPodName appends the lower-cased node name, as kubelet does', (t) => {
  for (const c of [
    { name: 'plain', pod: 'etcd', node: 'node-1', want: 'etcd-node-1' },
    { name: 'upper-case node', pod: 'api', node: 'Node-A', want: 'api-node-a' },
  ]) t.is(staticPodName(c.pod, c.node), c.want, c.name);
});

test('parseManifest applies the file-source defaults', (t) => {
  const { pods, errors } = parseManifest(web, '/etc/skiff/manifests/web.yaml', 'n1');
  t.deepEqual(errors, []);
  t.is(pods.length, 1);
  const p = pods[0]!;
  t.is(p.metadata.name, 'web-n1');
  t.is(p.metadata.namespace, 'default');
  t.is(p.spec.nodeName, 'n1');
  t.regex(p.metadata.uid!, /^[0-9a-f]{32}$/);
  t.is(p.metadata.annotations![ConfigHashAnnotation], p.metadata.uid!);
  t.is(p.metadata.annotations![ConfigSourceAnnotation], 'file');
  t.deepEqual(p.metadata.labels, { app: 'web' });
  t.deepEqual(p.spec.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
  t.is(p.spec.restartPolicy, 'Always', 'pod defaults applied');
  t.is(p.spec.terminationGracePeriodSeconds, 30);
  t.is(p.status?.phase, 'Pending');
  t.true(isStaticPod(p));
  t.false(isMirrorPod(p));
});

test('parseManifest: the hash depends on the pod, the node and the file, not on key order or a uid in the file', (t) => {
  const uid = (text: string, file = '/m/web.yaml', node = 'n1') => parseManifest(text, file, node).pods[0]!.metadata.uid;
  const base = uid(web);
  const cases = [
    { name: 'same text', text: web, same: true },
    { name: 'keys reordered', text: `kind: Pod\napiVersion: v1\nspec:\n  containers:\n  - command: [sleep, "3600"]\n    image: skiff.local/busybox:latest\n    name: c\nmetadata:\n  labels: { app: web }\n  name: web\n`, same: true },
    { name: 'uid in file ignored', text: web.replace('  name: web\n', '  name: web\n  uid: abc\n'), same: true },
    { name: 'command changed', text: web.replace('"3600"', '"3601"'), same: false },
    { name: 'label changed', text: web.replace('app: web', 'app: other'), same: false },
  ];
  for (const c of cases) t.is(uid(c.text) === base, c.same, c.name);
  t.not(uid(web, '/m/other.yaml'), base, 'another file');
  t.not(uid(web, '/m/web.yaml', 'n2'), base, 'another node');
  t.is(staticPodHash({ metadata: { name: 'a' }, spec: { containers: [] } } as unknown as Pod, 'n', 'f'), staticPodHash({ spec: { containers: [] }, metadata: { name: 'a' } } as unknown as Pod, 'n', 'f'));
});

test('parseManifest: several documents, JSON, and rejected documents', (t) => {
  const two = `${web}---\n${web.replace('name: web', 'name: db').replace('labels: { app: web }', 'namespace: kube-system')}`;
  const r = parseManifest(two, '/m/two.yaml', 'n1');
  t.deepEqual(r.pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ['default/web-n1', 'kube-system/db-n1']);
  const json = parseManifest(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [{ name: 'c', image: 'x' }] } }), '/m/j.json', 'n1');
  t.is(json.pods[0]?.metadata.name, 'j-n1');
  const cases = [
    { name: 'not a pod', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n', error: /not a v1 Pod/ },
    { name: 'no name', text: 'apiVersion: v1\nkind: Pod\nspec: { containers: [{ name: c, image: x }] }\n', error: /metadata.name is required/ },
    { name: 'invalid spec', text: 'apiVersion: v1\nkind: Pod\nmetadata: { name: x }\nspec: { containers: [] }\n', error: /invalid pod/ },
    { name: 'bad yaml', text: 'kind: Pod\n  bad: [', error: /m\/f.yaml/ },
  ];
  for (const c of cases) {
    const out = parseManifest(c.text, '/m/f.yaml', 'n1');
    t.is(out.pods.length, 0, c.name);
    t.regex(out.errors.join('\n'), c.error, c.name);
  }
  t.deepEqual(parseManifest('', '/m/empty.yaml', 'n1'), { pods: [], errors: [] });
});

test('isManifestFile: yaml, yml and json, never hidden files', (t) => {
  for (const [name, want] of [['a.yaml', true], ['a.yml', true], ['a.json', true], ['a.yaml.swp', false], ['.a.yaml', false], ['README', false]] as const) t.is(isManifestFile(name), want, name);
});

test('mirrorPodFor: no uid or status, the mirror annotation and the Node as controller owner', (t) => {
  const p = parseManifest(web, '/m/web.yaml', 'n1').pods[0]!;
  const m = mirrorPodFor(p, { name: 'n1', uid: 'node-uid' });
  t.is(m.metadata.uid, undefined);
  t.is(m.status, undefined);
  t.is(m.metadata.name, 'web-n1');
  t.is(m.metadata.annotations![ConfigMirrorAnnotation], p.metadata.uid!);
  t.is(m.metadata.annotations![ConfigSourceAnnotation], 'file');
  t.deepEqual(m.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid', controller: true }]);
  t.true(isMirrorPod(m));
  t.false(isStaticPod(m));
  t.true(isMirrorOf(m, p));
  const changed = parseManifest(web.replace('"3600"', '"1"'), '/m/web.yaml', 'n1').pods[0]!;
  t.false(isMirrorOf(m, changed));
  const other = { metadata: { name: 'x-n1', namespace: 'default', annotations: { [ConfigMirrorAnnotation]: 'h' } }, spec: { containers: [] } } as unknown as Pod;
  const regular = { metadata: { name: 'y', namespace: 'default' }, spec: { containers: [] } } as unknown as Pod;
  t.deepEqual(MirrorPods.orphans([m, other, regular], [p]), [other]);
});

test('StaticPodSource: reads the directory, notices added, changed and removed files', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'skifftest-static-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'web.yaml'), web);
  await writeFile(path.join(dir, 'notes.txt'), 'not a manifest');
  const seen: Pod[][] = [];
  const src = new StaticPodSource({ dir, nodeName: 'n1', onChange: (pods) => seen.push(pods), logger: silentLogger(), resyncMs: 60_000 });
  t.teardown(() => src.stop());
  await src.start();
  t.deepEqual(seen.map((s) => s.map((p) => p.metadata.name)), [['web-n1']]);
  const firstUID = seen[0]![0]!.metadata.uid;
  await src.rescan();
  t.is(seen.length, 1, 'no change, no call');
  await writeFile(path.join(dir, '.tmp'), web.replace('"3600"', '"7200"'));
  await rename(path.join(dir, '.tmp'), path.join(dir, 'web.yaml'));
  await src.rescan();
  t.is(seen.length, 2);
  t.not(seen[1]![0]!.metadata.uid, firstUID, 'changed file, new uid');
  await writeFile(path.join(dir, 'broken.yaml'), 'kind: Pod\n  bad: [');
  await writeFile(path.join(dir, 'zdup.yaml'), web.replace('app: web', 'app: dup'));
  await src.rescan();
  t.is(seen.length, 2, 'a broken file and a duplicate name change nothing');
  await unlink(path.join(dir, 'web.yaml'));
  await src.rescan();
  t.deepEqual(seen.at(-1)!.map((p) => p.metadata.labels?.app), ['dup'], 'the duplicate takes over once the first is gone');
  await unlink(path.join(dir, 'zdup.yaml'));
  await src.rescan();
  t.deepEqual(seen.at(-1), []);
});

test('StaticPodSource: a missing directory is no static pods, and is picked up later', async (t) => {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'skifftest-static-')), 'later');
  t.teardown(() => rm(path.dirname(dir), { recursive: true, force: true }));
  const seen: Pod[][] = [];
  const src = new StaticPodSource({ dir, nodeName: 'n1', onChange: (pods) => seen.push(pods), logger: silentLogger(), resyncMs: 60_000 });
  t.teardown(() => src.stop());
  await src.start();
  t.deepEqual(seen, [[]]);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir);
  await writeFile(path.join(dir, 'web.yml'), web);
  await src.rescan();
  t.is(seen.at(-1)?.[0]?.metadata.name, 'web-n1');
});
