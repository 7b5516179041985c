// The official JavaScript client (@kubernetes/client-node) against the API server:
// create, list with a label selector, watch through its informer, replace with a stale
// resourceVersion → 409.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from '../lib/apiserver.js';

let srv: TestApiServer;
let kc: k8s.KubeConfig;
test.before(async () => {
  srv = await startTestApiServer();
  const file = join(srv.etcd.dataDir, 'kubeconfig.yaml');
  writeFileSync(file, `apiVersion: v1\nkind: Config\nclusters:\n- name: s\n  cluster:\n    server: ${srv.url}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: c\n  context: {cluster: s, user: u}\ncurrent-context: c\n`);
  kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
});
test.after.always(async () => {
  await srv?.cleanup();
});

test('client-node: create, list by label, informer sees changes, stale replace gets 409', async (t) => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const namespace = `cn-${process.pid}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  for (const [name, tier] of [['a', 'front'], ['b', 'back'], ['c', 'front']]) {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels: { tier } }, data: { k: name } } });
  }
  const front = await core.listNamespacedConfigMap({ namespace, labelSelector: 'tier=front' });
  t.deepEqual(front.items.map((i) => i.metadata?.name), ['a', 'c']);

  const dep = await apps.createNamespacedDeployment({
    namespace,
    body: { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'img:1' }] } } } },
  });
  t.is(dep.spec?.replicas, 1);

  // Informer: initial list + watch.
  const seen: string[] = [];
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/configmaps`, () => core.listNamespacedConfigMap({ namespace }));
  informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
  informer.on('update', (o) => seen.push(`update:${o.metadata?.name}`));
  informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
  await informer.start();
  t.teardown(() => void informer.stop());
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'd' }, data: { k: 'd' } } });
  await core.patchNamespacedConfigMap({ namespace, name: 'a', body: { data: { k: 'changed' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await core.deleteNamespacedConfigMap({ namespace, name: 'b' });
  const deadline = Date.now() + 10_000;
  while (!(seen.includes('add:d') && seen.includes('update:a') && seen.includes('delete:b')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const e of ['add:a', 'add:b', 'add:c', 'add:d', 'update:a', 'delete:b']) t.true(seen.includes(e), `${e} in ${seen.join(',')}`);

  // Replace with a stale resourceVersion.
  const a = await core.readNamespacedConfigMap({ namespace, name: 'c' });
  await core.replaceNamespacedConfigMap({ namespace, name: 'c', body: { ...a, data: { k: 'v2' } } });
  const err = await t.throwsAsync(core.replaceNamespacedConfigMap({ namespace, name: 'c', body: { ...a, data: { k: 'v3' } } }));
  t.is((err as unknown as { code: number }).code, 409);
});
