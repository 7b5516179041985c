// Acceptance 4 (Job part): completions/parallelism and backoffLimit against the real API server
// over etcd, with the controller manager and a fake kubelet whose pods finish by image name.
import test from 'ava';
import type { Job } from '../../pkg/api/batch/job.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { getCondition } from '../../pkg/api/kind.js';
import { Resources } from '../../pkg/client/resources.js';
import { startTestCluster, type TestCluster, waitFor } from '../lib/fakekubelet.js';

let cluster: TestCluster;
let maxActive = 0;

test.before(async () => {
  cluster = await startTestCluster({
    kubelet: {
      readyDelayMs: 100,
      finish: (pod) => (pod.spec.containers[0].image === 'fail' ? 'Failed' : 'Succeeded'),
    },
  });
});
test.after.always(async () => {
  await cluster?.cleanup();
});

function newJob(name: string, ns: string, spec: Partial<Job['spec']>, image: string): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image }] } }, ...spec } as Job['spec'],
  };
}

test.serial('a Job with completions 5 and parallelism 2 completes with exactly 5 successes', async (t) => {
  const ns = 'skiff-job-ok';
  await cluster.client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await cluster.client.resource(Resources.jobs).namespace(ns).create(newJob('work', ns, { completions: 5, parallelism: 2 }, 'ok'));
  const job = await waitFor(
    'Job complete',
    async () => {
      const pods = (await cluster.client.resource<Pod>(Resources.pods).namespace(ns).list()).items;
      maxActive = Math.max(maxActive, pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata.deletionTimestamp).length);
      const j = await cluster.client.resource<Job>(Resources.jobs).namespace(ns).get('work');
      return getCondition(j.status, 'Complete')?.status === 'True' ? j : undefined;
    },
    60_000,
    50,
  ).catch(async (e) => {
    const pods = (await cluster.client.resource<Pod>(Resources.pods).namespace(ns).list()).items;
    const j = await cluster.client.resource<Job>(Resources.jobs).namespace(ns).get('work');
    const lease = await cluster.client.resource<any>({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true }).namespace('kube-system').list().catch((x) => String(x));
    console.log('controllers-job diagnostics: job status, pods, leases', JSON.stringify(j.status), JSON.stringify(pods.map((p) => [p.metadata.name, p.spec.nodeName, p.status?.phase, p.metadata.deletionTimestamp])), JSON.stringify(lease));
    throw e;
  });
  t.is(job.status?.succeeded, 5);
  const pods = (await cluster.client.resource<Pod>(Resources.pods).namespace(ns).list()).items;
  t.is(pods.filter((p) => p.status?.phase === 'Succeeded').length, 5);
  t.true(maxActive <= 2, `at most 2 pods ran at once (saw ${maxActive})`);
});

test.serial('a failing Job stops at its backoffLimit', async (t) => {
  const ns = 'skiff-job-fail';
  await cluster.client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await cluster.client.resource(Resources.jobs).namespace(ns).create(newJob('work', ns, { completions: 1, backoffLimit: 1 }, 'fail'));
  const job = await waitFor(
    'Job failed',
    async () => {
      const j = await cluster.client.resource<Job>(Resources.jobs).namespace(ns).get('work');
      return getCondition(j.status, 'Failed')?.status === 'True' ? j : undefined;
    },
    60_000,
  );
  t.is(getCondition(job.status, 'Failed')?.reason, 'BackoffLimitExceeded');
  t.is(job.status?.failed, 2);
  await new Promise((r) => setTimeout(r, 1500));
  const pods = (await cluster.client.resource<Pod>(Resources.pods).namespace(ns).list()).items;
  t.is(pods.length, 2, 'no pod after the limit');
});
