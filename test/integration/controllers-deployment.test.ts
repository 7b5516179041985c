// Acceptance 1 and 2: rolling updates, rollback, history, pause/resume, the progress deadline and
// automatic rollback — against the real API server over etcd with the controller manager, a
// fake kubelet, and the real kubectl where kubectl is what users would run.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Deployment } from '../../pkg/api/apps/deployment.js';
import type { ReplicaSet } from '../../pkg/api/apps/replicaset.js';
import { isPodReady } from '../../pkg/api/core/pod-helpers.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { getCondition } from '../../pkg/api/kind.js';
import type { KubeObject } from '../../pkg/api/meta.js';
import { buildKubeconfig, writeKubeconfig } from '../../pkg/client/kubeconfig.js';
import { Resources } from '../../pkg/client/resources.js';
import { startTestCluster, type TestCluster, waitFor } from '../lib/fakekubelet.js';

const run = promisify(execFile);
let cluster: TestCluster;
let dir: string;
let kubeconfig: string;

test.before(async () => {
  // Images with "broken" in their name never become ready.
  cluster = await startTestCluster({ kubelet: { ready: (pod) => !pod.spec.containers.some((c) => c.image?.includes('broken')) } });
  dir = mkdtempSync(join(tmpdir(), 'skiff-ctrl-'));
  kubeconfig = join(dir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfig, buildKubeconfig({ server: cluster.url }));
});
test.after.always(async () => {
  await cluster?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 90_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

function newDeployment(name: string, ns: string, opts: { replicas: number; surge: number | string; unavailable: number | string; deadline?: number; annotations?: Record<string, string> }): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, annotations: opts.annotations },
    spec: {
      replicas: opts.replicas,
      progressDeadlineSeconds: opts.deadline,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: opts.surge, maxUnavailable: opts.unavailable } },
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] } },
    },
  };
}

/** PodWatcher follows every pod event in a namespace and checks bounds at each one. */
class PodWatcher {
  readonly pods = new Map<string, Pod>();
  readonly violations: string[] = [];
  maxTotal = 0;
  minAvailable = Infinity;
  events = 0;
  private readonly abort = new AbortController();
  private done?: Promise<void>;
  checking = false;

  constructor(
    private readonly ns: string,
    private readonly bounds: { maxTotal: number; minAvailable: number },
  ) {}

  async start(): Promise<void> {
    const api = cluster.client.resource<Pod>(Resources.pods).namespace(this.ns);
    const list = await api.list();
    for (const p of list.items) this.pods.set(p.metadata.name ?? '', p);
    this.done = (async () => {
      try {
        for await (const ev of api.watch({ resourceVersion: list.metadata.resourceVersion, signal: this.abort.signal })) {
          if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
          this.events++;
          if (ev.type === 'DELETED') this.pods.delete(ev.object.metadata.name ?? '');
          else this.pods.set(ev.object.metadata.name ?? '', ev.object);
          this.check();
        }
      } catch (err) {
        if (!this.abort.signal.aborted) this.violations.push(`watch failed: ${(err as Error).message}`);
      }
    })();
  }

  check(): void {
    if (!this.checking) return;
    const active = [...this.pods.values()].filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
    const available = active.filter(isPodReady).length;
    this.maxTotal = Math.max(this.maxTotal, active.length);
    this.minAvailable = Math.min(this.minAvailable, available);
    if (active.length > this.bounds.maxTotal) this.violations.push(`event ${this.events}: ${active.length} pods > ${this.bounds.maxTotal}`);
    if (available < this.bounds.minAvailable) this.violations.push(`event ${this.events}: ${available} available < ${this.bounds.minAvailable}`);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

async function getDeployment(ns: string, name: string): Promise<Deployment> {
  return cluster.client.resource<Deployment>(Resources.deployments).namespace(ns).get(name);
}

async function replicaSets(ns: string): Promise<ReplicaSet[]> {
  return (await cluster.client.resource<ReplicaSet>(Resources.replicasets).namespace(ns).list()).items;
}

const revision = (o: KubeObject) => o.metadata.annotations?.['deployment.kubernetes.io/revision'];

async function rolledOut(ns: string, name: string, replicas: number, timeoutMs = 60_000): Promise<Deployment> {
  return waitFor(
    `${name} rolled out`,
    async () => {
      const d = await getDeployment(ns, name);
      const s = d.status ?? {};
      const done =
        (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        s.updatedReplicas === replicas &&
        s.replicas === replicas &&
        s.availableReplicas === replicas &&
        getCondition(s, 'Progressing')?.reason === 'NewReplicaSetAvailable';
      return done ? d : undefined;
    },
    timeoutMs,
  );
}

test.serial('acceptance 1: rolling update within surge and availability, undo, history, pause and resume', async (t) => {
  const ns = 'skiff-rollout';
  await cluster.client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await cluster.client.resource(Resources.deployments).namespace(ns).create(newDeployment('web', ns, { replicas: 10, surge: 2, unavailable: 1 }));
  await rolledOut(ns, 'web', 10);
  await waitFor('10 ready pods', async () => [...(await cluster.client.resource<Pod>(Resources.pods).namespace(ns).list()).items].filter((p) => isPodReady(p) && !p.metadata.deletionTimestamp).length === 10);

  const watcher = new PodWatcher(ns, { maxTotal: 12, minAvailable: 9 });
  await watcher.start();
  watcher.checking = true;
  t.teardown(() => watcher.stop());

  // Revision 2: a new image.
  let r = await kubectl('-n', ns, 'set', 'image', 'deployment/web', 'app=registry.local/app:2');
  t.is(r.code, 0, r.stderr);
  r = await kubectl('-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=90s');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /successfully rolled out/);
  let d = await rolledOut(ns, 'web', 10);
  t.is(revision(d), '2');
  t.is(d.spec.template.spec.containers[0].image, 'registry.local/app:2');
  const rsByRevision = new Map((await replicaSets(ns)).map((rs) => [revision(rs), rs]));
  t.is(rsByRevision.get('2')?.spec.replicas, 10);
  t.is(rsByRevision.get('1')?.spec.replicas, 0);

  // `rollout history` lists both revisions.
  r = await kubectl('-n', ns, 'rollout', 'history', 'deployment/web');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^1\s/m);
  t.regex(r.stdout, /^2\s/m);

  // `rollout undo` returns to revision 1's template as revision 3.
  r = await kubectl('-n', ns, 'rollout', 'undo', 'deployment/web');
  t.is(r.code, 0, r.stderr);
  d = await waitFor('revision 3', async () => {
    const x = await getDeployment(ns, 'web');
    return revision(x) === '3' ? x : undefined;
  });
  d = await rolledOut(ns, 'web', 10);
  t.is(d.spec.template.spec.containers[0].image, 'registry.local/app:1');
  const rev3 = (await replicaSets(ns)).find((rs) => revision(rs) === '3') as ReplicaSet;
  t.is(rev3.metadata.uid, rsByRevision.get('1')?.metadata.uid, 'revision 1 ReplicaSet is reused as revision 3');
  r = await kubectl('-n', ns, 'rollout', 'history', 'deployment/web');
  t.regex(r.stdout, /^2\s/m);
  t.regex(r.stdout, /^3\s/m);

  // Pause stops progress: a template change makes no new ReplicaSet.
  r = await kubectl('-n', ns, 'rollout', 'pause', 'deployment/web');
  t.is(r.code, 0, r.stderr);
  r = await kubectl('-n', ns, 'set', 'image', 'deployment/web', 'app=registry.local/app:3');
  t.is(r.code, 0, r.stderr);
  await new Promise((res) => setTimeout(res, 2000));
  t.is((await replicaSets(ns)).length, 2);
  d = await getDeployment(ns, 'web');
  t.is(getCondition(d.status, 'Progressing')?.reason, 'DeploymentPaused');
  t.is(revision(d), '3');

  // Resume continues: revision 4 rolls out.
  r = await kubectl('-n', ns, 'rollout', 'resume', 'deployment/web');
  t.is(r.code, 0, r.stderr);
  d = await waitFor('revision 4', async () => {
    const x = await getDeployment(ns, 'web');
    return revision(x) === '4' ? x : undefined;
  });
  d = await rolledOut(ns, 'web', 10);
  t.is(d.spec.template.spec.containers[0].image, 'registry.local/app:3');

  await watcher.stop();
  t.log(`watched ${watcher.events} pod events: max ${watcher.maxTotal} pods, min ${watcher.minAvailable} available`);
  t.deepEqual(watcher.violations, []);
  t.true(watcher.events > 60);
});

test.serial('acceptance 2: a rollout that never becomes ready stops at its progress deadline', async (t) => {
  const ns = 'skiff-deadline';
  await cluster.client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await cluster.client.resource(Resources.deployments).namespace(ns).create(newDeployment('web', ns, { replicas: 4, surge: 1, unavailable: 1, deadline: 5 }));
  await rolledOut(ns, 'web', 4);
  const started = Date.now();
  let r = await kubectl('-n', ns, 'set', 'image', 'deployment/web', 'app=registry.local/app:broken');
  t.is(r.code, 0, r.stderr);
  const d = await waitFor(
    'ProgressDeadlineExceeded',
    async () => {
      const x = await getDeployment(ns, 'web');
      return getCondition(x.status, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
    },
    20_000,
  );
  const elapsed = Date.now() - started;
  t.log(`deadline 5 s, reported after ${elapsed} ms`);
  t.true(elapsed < 15_000);
  t.is(getCondition(d.status, 'Progressing')?.status, 'False');
  // The rollout stopped: the old revision keeps at least replicas - maxUnavailable available.
  t.true((d.status?.availableReplicas ?? 0) >= 3);
  const broken = (await replicaSets(ns)).find((rs) => revision(rs) === '2') as ReplicaSet;
  t.true((broken.spec.replicas ?? 0) <= 2);
  // kubectl sees the failure the same way.
  r = await kubectl('-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=10s');
  t.not(r.code, 0);
  t.regex(r.stderr + r.stdout, /exceeded its progress deadline/);
});

test.serial('acceptance 2: with skiff.dev/auto-rollback the Deployment returns to the previous revision by itself', async (t) => {
  const ns = 'skiff-autorollback';
  await cluster.client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await cluster.client
    .resource(Resources.deployments)
    .namespace(ns)
    .create(newDeployment('web', ns, { replicas: 4, surge: 1, unavailable: 1, deadline: 5, annotations: { 'skiff.dev/auto-rollback': 'true' } }));
  await rolledOut(ns, 'web', 4);
  const r = await kubectl('-n', ns, 'set', 'image', 'deployment/web', 'app=registry.local/app:broken');
  t.is(r.code, 0, r.stderr);
  const d = await waitFor(
    'automatic rollback',
    async () => {
      const x = await getDeployment(ns, 'web');
      return revision(x) === '3' && x.spec.template.spec.containers[0].image === 'registry.local/app:1' ? x : undefined;
    },
    30_000,
  );
  t.is(d.metadata.annotations?.['skiff.dev/auto-rolled-back-to-revision'], '3');
  await rolledOut(ns, 'web', 4);
  const events = (await cluster.client.resource<KubeObject & { reason?: string; message?: string }>(Resources.events).namespace(ns).list()).items;
  const rollback = events.find((e) => e.reason === 'DeploymentRollback');
  t.truthy(rollback, `events: ${events.map((e) => e.reason).join(', ')}`);
  t.regex(rollback?.message ?? '', /revision 1/);
});
