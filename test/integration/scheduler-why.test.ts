// `skiff why` end to end: a real etcd and API server, a scheduler in the same process serving
// its explanations through the API server's skiff.dev extension hook, and the CLI reading them.
// Also: 503 before any scheduler registers, 404 for unknown pods, `schedule --dry-run -f`, and
// the wiring in `skiff server` (a child process).
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { buildKubeconfig, writeKubeconfig } from '../../pkg/client/kubeconfig.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { runCli } from '../../pkg/cli/testing/harness.js';
import { Scheduler } from '../../pkg/scheduler/scheduler.js';
import { newNode, newPod } from '../../pkg/scheduler/testing/builders.js';
import { registerWhyExtension } from '../../pkg/scheduler/why-handler.js';
import { removeDir, startServerProcess, startTestApiServer } from '../lib/apiserver.js';
import { type Poll, waitFor as sharedWaitFor } from '../lib/wait.js';

const WHY = (ns: string, name: string) => `/apis/skiff.dev/v1/namespaces/${ns}/pods/${name}/why`;

async function getJson(url: string, init?: RequestInit): Promise<{ code: number; body: any }> {
  const res = await fetch(url, init);
  return { code: res.status, body: await res.json() };
}

function apiPod(name: string, opts: Parameters<typeof newPod>[1] = {}): Pod {
  const pod = newPod(name, opts);
  delete pod.metadata.uid;
  delete pod.status;
  pod.spec.terminationGracePeriodSeconds = 0;
  return pod;
}

function apiNode(name: string, opts: Parameters<typeof newNode>[1] = {}): Node {
  const node = newNode(name, opts);
  delete node.metadata.uid;
  return node;
}

const waitFor = <T>(what: string, fn: Poll<T>, timeoutMs = 20_000) => sharedWaitFor(what, fn, timeoutMs);

async function setup(t: ExecutionContext) {
  const server = await startTestApiServer();
  const dir = mkdtempSync(join(tmpdir(), 'skifftest-why-'));
  const client = new RestClient({ server: server.url });
  const ac = new AbortController();
  const scheduler = new Scheduler({ client, logger: pino({ level: process.env.SKIFF_TEST_LOG ?? 'silent' }), initialBackoffMs: 200, maxBackoffMs: 1000 });
  let running: Promise<void> | undefined;
  t.teardown(async () => {
    ac.abort();
    await running?.catch(() => undefined);
    await scheduler.flushEvents();
    client.close();
    await server.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfig, buildKubeconfig({ server: server.url, name: 'skifftest-why' }));
  return {
    server,
    dir,
    scheduler,
    nodes: client.resource<Node>(Resources.nodes),
    pods: client.resource<Pod>(Resources.pods).namespace('default'),
    skiff: (...args: string[]) => runCli(args, { kubeconfig, cwd: dir }),
    start: () => {
      const off = registerWhyExtension(server.api, () => (scheduler.hasSynced() ? scheduler : undefined));
      running = scheduler.run(ac.signal);
      return off;
    },
  };
}

test.serial('why: 503 Status with no scheduler, then each node rejected with Insufficient cpu, the chosen node of a placed pod, 404 for unknown pods', async (t) => {
  const { server, nodes, pods, skiff, start } = await setup(t);
  const before = await getJson(server.url + WHY('default', 'big'));
  t.is(before.code, 503);
  t.like(before.body, { kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503 });
  const cliBefore = await skiff('why', 'pod/big');
  t.is(cliBefore.code, 1);
  t.regex(cliBefore.stderr, /^Error from server \(ServiceUnavailable\): /);

  await nodes.create(apiNode('hollow-a', { cpu: '1', memory: '4Gi' }));
  await nodes.create(apiNode('hollow-b', { cpu: '1', memory: '4Gi' }));
  await pods.create(apiPod('big', { cpu: '2', memory: '1Gi' }));
  await pods.create(apiPod('small', { cpu: '500m', memory: '1Gi' }));
  const off = start();

  const small = await waitFor('small bound', async () => (await pods.get('small')).spec.nodeName);
  await waitFor('big judged', async () => (await pods.get('big')).status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'));

  const big = await getJson(server.url + WHY('default', 'big'));
  t.is(big.code, 200);
  t.like(big.body, { apiVersion: 'skiff.dev/v1', kind: 'SchedulingExplanation', pod: 'default/big', feasibleNodes: 0, totalNodes: 2 });
  t.deepEqual(
    big.body.rows.map((r: any) => [r.node, r.fits, r.filter, r.reasons]),
    [
      ['hollow-a', false, 'NodeResourcesFit', ['Insufficient cpu']],
      ['hollow-b', false, 'NodeResourcesFit', ['Insufficient cpu']],
    ],
  );

  const placed = await getJson(server.url + WHY('default', 'small'));
  t.is(placed.code, 200);
  t.is(placed.body.nodeName, small);
  t.is(placed.body.feasibleNodes, 2);
  const chosen = placed.body.rows.filter((r: any) => r.current);
  t.deepEqual(chosen.map((r: any) => r.node), [small]);
  t.true(placed.body.rows.every((r: any) => r.fits && typeof r.total === 'number' && Object.keys(r.scores).length > 0));

  const unknown = await getJson(server.url + WHY('default', 'skifftest-nope'));
  t.is(unknown.code, 404);
  t.like(unknown.body, { kind: 'Status', reason: 'NotFound', code: 404 });
  t.is((await getJson(server.url + '/apis/skiff.dev/v1/namespaces/default/pods/small/whom')).code, 404);
  t.is((await getJson(server.url + WHY('default', 'small'), { method: 'DELETE' })).code, 405);

  // CLI: the table for the pending pod is exact; the placed pod marks its node.
  const cli = await skiff('why', 'pod/big');
  t.is(cli.stderr, '');
  t.is(cli.code, 0);
  t.is(
    cli.stdout,
    [
      'Pod default/big is Pending: 0/2 nodes are available: 2 Insufficient cpu.',
      'NODE       FITS   FILTER             REASON             SCORES   TOTAL',
      'hollow-a   no     NodeResourcesFit   Insufficient cpu',
      'hollow-b   no     NodeResourcesFit   Insufficient cpu',
      '',
    ].join('\n'),
  );
  const cliPlaced = await skiff('why', 'small');
  t.is(cliPlaced.code, 0);
  const lines = cliPlaced.stdout.split('\n');
  t.is(lines[0], `Pod default/small is bound to node ${small}; 2/2 nodes would fit it now.`);
  t.regex(lines[1], /^NODE +FITS +FILTER +REASON +SCORES +TOTAL$/);
  const chosenLine = lines.find((l) => l.includes('(chosen)'));
  t.truthy(chosenLine);
  t.true(chosenLine!.startsWith(`${small} (chosen)`));
  t.regex(chosenLine!, / yes .*NodeResourcesFit=\d+.* \d+$/);
  const asJson = await skiff('why', 'pods', 'small', '-o', 'json');
  t.is(JSON.parse(asJson.stdout).nodeName, small);
  const missing = await skiff('why', 'pod/skifftest-nope');
  t.is(missing.code, 1);
  t.is(missing.stderr, 'Error from server (NotFound): pods "skifftest-nope" not found\n');
  t.is((await skiff('why', 'deployment/x')).code, 1);

  off();
  t.is((await getJson(server.url + WHY('default', 'big'))).code, 503);
});

test.serial('schedule --dry-run -f explains a pod that is never created', async (t) => {
  const { server, dir, nodes, pods, skiff, start } = await setup(t);
  await nodes.create(apiNode('hollow-a', { cpu: '1' }));
  await nodes.create(apiNode('hollow-b', { cpu: '4' }));
  start();
  const file = join(dir, 'pod.yaml');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Pod
metadata: {name: skifftest-dry}
spec:
  containers: [{name: app, image: busybox, resources: {requests: {cpu: "2"}}}]
`,
  );
  await waitFor('explanations served', async () => (await getJson(server.url + WHY('default', 'none'))).code === 404);
  const res = await skiff('schedule', '--dry-run', '-f', file);
  t.is(res.stderr, '');
  t.is(res.code, 0);
  const lines = res.stdout.split('\n');
  t.is(lines[0], 'Pod default/skifftest-dry would be scheduled: 1/2 nodes fit; the best is hollow-b (equal totals are broken at random).');
  t.true(lines[2].startsWith('hollow-b (best)'));
  t.regex(lines[3], /^hollow-a +no +NodeResourcesFit +Insufficient cpu$/);
  t.is((await pods.list()).items.length, 0);
  t.is((await skiff('schedule', '-f', file)).code, 1);

  const bad = await getJson(server.url + '/apis/skiff.dev/v1/namespaces/default/schedulingexplanations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'ConfigMap' }),
  });
  t.is(bad.code, 400);
  t.is(bad.body.reason, 'BadRequest');
});

test.serial('skiff server serves why from its in-process scheduler', async (t) => {
  const srv = await startServerProcess();
  t.teardown(async () => {
    await srv.stop();
    await removeDir(srv.dataDir);
  });
  const unknown = await waitFor('why served', async () => {
    const r = await getJson(srv.url + WHY('default', 'skifftest-nope'));
    return r.code === 404 && r;
  });
  t.like(unknown.body, { kind: 'Status', reason: 'NotFound' });
});
