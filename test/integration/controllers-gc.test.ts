// Acceptance 5: cascading deletion in all three modes, and namespace deletion, against the real
// API server over etcd with the controller manager and a fake kubelet.
import test from 'ava';
import { isNotFound } from '../../pkg/api/errors.js';
import type { Deployment } from '../../pkg/api/apps/deployment.js';
import type { ReplicaSet } from '../../pkg/api/apps/replicaset.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { isPodReady } from '../../pkg/api/core/pod-helpers.js';
import type { KubeObject } from '../../pkg/api/meta.js';
import { Resources } from '../../pkg/client/resources.js';
import type { RestClient } from '../../pkg/client/rest.js';
import { startTestCluster, type TestCluster, waitFor } from '../lib/fakekubelet.js';

let cluster: TestCluster;

test.before(async () => {
  cluster = await startTestCluster();
});
test.after.always(async () => {
  await cluster?.cleanup();
});

function deploymentManifest(name: string, namespace: string, replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] } },
    },
  };
}

async function createNamespace(client: RestClient, name: string): Promise<void> {
  await client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

async function readyDeployment(client: RestClient, name: string, namespace: string, replicas: number): Promise<void> {
  await client.resource(Resources.deployments).namespace(namespace).create(deploymentManifest(name, namespace, replicas));
  await waitFor(`${replicas} ready pods of ${name}`, async () => {
    const pods = (await client.resource<Pod>(Resources.pods).namespace(namespace).list({ labelSelector: `app=${name}` })).items;
    return pods.filter((p) => isPodReady(p) && !p.metadata.deletionTimestamp).length === replicas;
  });
}

const list = async <T extends KubeObject>(client: RestClient, desc: (typeof Resources)[keyof typeof Resources], ns: string, sel?: string): Promise<T[]> =>
  (await client.resource<T>(desc).namespace(ns).list({ labelSelector: sel })).items;

async function gone(client: RestClient, desc: (typeof Resources)[keyof typeof Resources], ns: string | undefined, name: string): Promise<boolean> {
  try {
    const c = client.resource(desc);
    await (ns ? c.namespace(ns) : c).get(name);
    return false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

test.serial('background: deleting a Deployment deletes its ReplicaSets and pods', async (t) => {
  const { client } = cluster;
  await createNamespace(client, 'skiff-gc-bg');
  await readyDeployment(client, 'web', 'skiff-gc-bg', 3);
  await client.resource(Resources.deployments).namespace('skiff-gc-bg').delete('web', { propagationPolicy: 'Background' });
  t.true(await gone(client, Resources.deployments, 'skiff-gc-bg', 'web'));
  await waitFor('ReplicaSets gone', async () => (await list(client, Resources.replicasets, 'skiff-gc-bg')).length === 0);
  await waitFor('pods gone', async () => (await list(client, Resources.pods, 'skiff-gc-bg')).length === 0);
  t.pass();
});

test.serial('foreground: the Deployment stays until its ReplicaSets and pods are gone', async (t) => {
  const { client } = cluster;
  const ns = 'skiff-gc-fg';
  await createNamespace(client, ns);
  await readyDeployment(client, 'web', ns, 3);
  await client.resource(Resources.deployments).namespace(ns).delete('web', { propagationPolicy: 'Foreground' });
  const d = await client.resource<Deployment>(Resources.deployments).namespace(ns).get('web');
  t.truthy(d.metadata.deletionTimestamp);
  t.true(d.metadata.finalizers?.includes('foregroundDeletion'));
  // Watch the order: whenever the Deployment is seen present, nothing is asserted; once it is
  // gone, its dependents must already be gone.
  let sawOwnerWithoutDependents = false;
  await waitFor('Deployment gone', async () => {
    const rss = await list<ReplicaSet>(client, Resources.replicasets, ns);
    const pods = await list<Pod>(client, Resources.pods, ns);
    const ownerGone = await gone(client, Resources.deployments, ns, 'web');
    if (!ownerGone && rss.length === 0 && pods.length === 0) sawOwnerWithoutDependents = true;
    if (ownerGone) {
      t.is(rss.length, 0, 'ReplicaSets outlived their foreground-deleted owner');
      t.is((await list<Pod>(client, Resources.pods, ns)).length, 0, 'pods outlived their foreground-deleted owner');
    }
    return ownerGone;
  });
  t.log(`owner seen after dependents were gone: ${sawOwnerWithoutDependents}`);
});

test.serial('orphan: deleting a ReplicaSet with Orphan leaves its pods, without the ownerReference', async (t) => {
  const { client } = cluster;
  const ns = 'skiff-gc-orphan';
  await createNamespace(client, ns);
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: ns },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] } } },
  };
  const created = await client.resource<ReplicaSet>(Resources.replicasets).namespace(ns).create(rs);
  await waitFor('2 pods', async () => (await list<Pod>(client, Resources.pods, ns)).length === 2);
  await client.resource(Resources.replicasets).namespace(ns).delete('web', { propagationPolicy: 'Orphan' });
  await waitFor('ReplicaSet gone', () => gone(client, Resources.replicasets, ns, 'web'));
  await waitFor('ownerReferences removed', async () => (await list<Pod>(client, Resources.pods, ns)).every((p) => !p.metadata.ownerReferences?.some((r) => r.uid === created.metadata.uid)));
  await new Promise((r) => setTimeout(r, 1000));
  const pods = await list<Pod>(client, Resources.pods, ns);
  t.is(pods.length, 2);
  t.true(pods.every((p) => !p.metadata.deletionTimestamp));
});

test.serial('deleting a namespace deletes everything in it, then the namespace', async (t) => {
  const { client } = cluster;
  const ns = 'skiff-ns-doomed';
  await createNamespace(client, ns);
  await readyDeployment(client, 'web', ns, 2);
  await client.resource(Resources.configmaps).namespace(ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: 'b' } });
  await client.resource(Resources.services).namespace(ns).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  await client.resource(Resources.namespaces).delete(ns);
  const terminating = await client.resource<KubeObject & { status?: { phase?: string } }>(Resources.namespaces).get(ns);
  t.is(terminating.status?.phase, 'Terminating');
  await waitFor('namespace gone', () => gone(client, Resources.namespaces, undefined, ns), 60_000);
  for (const desc of [Resources.pods, Resources.replicasets, Resources.deployments, Resources.configmaps, Resources.services]) {
    t.is((await list(client, desc, ns)).length, 0, desc.resource);
  }
});

test.serial('a namespace whose pods sit on a node that does not exist is still deleted', async (t) => {
  const { client } = cluster;
  const ns = 'skiff-ns-lost-node';
  await createNamespace(client, ns);
  // A pod bound to a node nobody runs: its graceful deletion would never finish.
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: ns }, spec: { nodeName: 'skiff-no-such-node', containers: [{ name: 'a', image: 'x' }] } };
  await client.resource<Pod>(Resources.pods).namespace(ns).create(pod);
  await client.resource(Resources.namespaces).delete(ns);
  await waitFor('namespace gone', () => gone(client, Resources.namespaces, undefined, ns), 30_000);
  t.pass();
});
