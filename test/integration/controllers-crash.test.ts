// Issue 9 acceptance 3: `skiff controller-manager` as a child process is killed with SIGKILL at
// seeded random points during rolling updates, 20 times; every pod event is checked against
// replicas + maxSurge, and after the last kill a fresh manager converges the Deployment.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from '../../pkg/api/apps/deployment.js';
import { isPodReady } from '../../pkg/api/core/pod-helpers.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { getCondition } from '../../pkg/api/kind.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { REPO_ROOT, startTestApiServer } from '../lib/apiserver.js';
import { startFakeKubelet, waitFor } from '../lib/fakekubelet.js';

const KILLS = 20;
const REPLICAS = 10;
const MAX_SURGE = 2;

/** mulberry32 is a small seeded PRNG, so a failing run can be replayed with SKIFF_TEST_SEED. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test.serial(`acceptance 3: kill -9 the controller manager ${KILLS} times during rollouts; it converges and never exceeds maxSurge`, async (t) => {
  t.timeout(600_000);
  const seed = Number(process.env.SKIFF_TEST_SEED ?? Date.now() % 1_000_000);
  const random = mulberry32(seed);
  t.log(`seed ${seed}`);
  const server = await startTestApiServer();
  const dir = mkdtempSync(join(tmpdir(), 'skifftest-cm-crash-'));
  const client = new RestClient({ server: server.url });
  const kubelet = await startFakeKubelet(server.url, { nodeName: 'skifftest-cm-node', readyDelayMs: 50 });
  let child: ChildProcess | undefined;
  const watchAbort = new AbortController();
  const watching: { done?: Promise<void> } = {};
  t.teardown(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
    }
    watchAbort.abort();
    await watching.done?.catch(() => undefined);
    await kubelet.stop().catch(() => undefined);
    client.close();
    await server.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const logFile = join(dir, 'controller-manager.log');
  const startManager = (): ChildProcess => {
    const fd = openSync(logFile, 'a');
    const args = ['--import', 'tsx', join(REPO_ROOT, 'cmd/skiff/main.ts'), 'controller-manager', '--server', server.url];
    args.push('--leader-elect-lease-duration', '2s', '--leader-elect-renew-deadline', '1500ms', '--leader-elect-retry-period', '250ms');
    const c = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], cwd: REPO_ROOT });
    closeSync(fd);
    return c;
  };
  const leadCount = (): number => {
    try {
      return readFileSync(logFile, 'utf8').split('starting controllers').length - 1;
    } catch {
      return 0;
    }
  };
  const kill9 = async (c: ChildProcess): Promise<void> => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };

  const ns = 'skifftest-cm-crash';
  await client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const podApi = client.resource<Pod>(Resources.pods).namespace(ns);
  const dApi = client.resource<Deployment>(Resources.deployments).namespace(ns);

  // Every pod event is checked: active (not terminating, not finished) pods ≤ replicas + maxSurge.
  const pods = new Map<string, Pod>();
  const violations: string[] = [];
  let maxActive = 0;
  const list = await podApi.list();
  watching.done = (async () => {
    try {
      for await (const ev of podApi.watch({ resourceVersion: list.metadata.resourceVersion, signal: watchAbort.signal })) {
        if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
        if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name ?? '');
        else pods.set(ev.object.metadata.name ?? '', ev.object);
        const active = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded').length;
        maxActive = Math.max(maxActive, active);
        if (active > REPLICAS + MAX_SURGE) violations.push(`${active} active pods > ${REPLICAS + MAX_SURGE}`);
      }
    } catch (err) {
      if (!watchAbort.signal.aborted) violations.push(`watch failed: ${(err as Error).message}`);
    }
  })();

  let image = 'registry.local/app:0';
  await dApi.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: MAX_SURGE, maxUnavailable: 1 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image }] } },
    },
  });

  const rolledOut = async (): Promise<boolean> => {
    const d = await dApi.get('web');
    const s = d.status ?? {};
    return (
      (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
      s.updatedReplicas === REPLICAS &&
      s.replicas === REPLICAS &&
      s.availableReplicas === REPLICAS &&
      getCondition(s, 'Progressing')?.reason === 'NewReplicaSetAvailable' &&
      d.spec.template.spec.containers[0].image === image
    );
  };

  let rollouts = 0;
  for (let i = 0; i < KILLS; i++) {
    // Start a new rollout whenever the last one has finished, so every kill lands in one.
    if (await rolledOut()) {
      image = `registry.local/app:${++rollouts}`;
      const d = await dApi.get('web');
      d.spec.template.spec.containers[0].image = image;
      await dApi.update(d);
    }
    const led = leadCount();
    child = startManager();
    // One kill in five lands before the manager leads (startup, campaign); the others at a
    // random point in its first 3 s of work, which is when a rollout is in flight.
    if (random() < 0.2) await new Promise((r) => setTimeout(r, Math.floor(random() * 3000)));
    else {
      await waitFor('the manager leads', async () => leadCount() > led || undefined, 120_000, 50);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 3000)));
    }
    await kill9(child);
  }
  t.true(rollouts >= 2, `kills landed in ${rollouts} rollouts`);

  child = startManager();
  await waitFor('the Deployment converges after the last kill', async () => (await rolledOut()) || undefined, 120_000, 200).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\nmanager log tail:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
  });
  const final = (await podApi.list()).items.filter((p) => !p.metadata.deletionTimestamp);
  t.is(final.length, REPLICAS);
  t.true(final.every((p) => isPodReady(p) && p.spec.containers[0].image === image));
  t.deepEqual(violations, [], `seed ${seed}`);
  t.true(maxActive <= REPLICAS + MAX_SURGE, `max active pods ${maxActive}`);
  t.log(`${KILLS} kills over ${rollouts} rollouts; max active pods ${maxActive}`);
});
