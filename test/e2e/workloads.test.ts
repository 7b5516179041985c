// End-to-end scenarios 4, 5 and 7 on a two-node local cluster, driven with the real kubectl:
// a broken rollout stalls with ProgressDeadlineExceeded and undo recovers; crashing and OOM
// containers restart with back-off and report their reasons; a Job and a CronJob complete and
// `kubectl logs` shows what they printed.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startTestCluster, type TestCluster } from '../lib/cluster.js';

let cluster: TestCluster;

test.before(async () => {
  cluster = await startTestCluster({ nodes: 2 });
});

test.after.always(async () => {
  await cluster?.down();
});

const kubectl = async (args: string[], input?: string): Promise<string> => {
  const r = await cluster.kubectl(args, { input, timeoutMs: 200_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
};
const apply = (ns: string, obj: unknown) => kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(obj));
const getJson = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
const namespace = (name: string) => kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));

interface PodJson {
  metadata: { name: string };
  status: {
    phase?: string;
    containerStatuses?: { restartCount: number; state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number } }; lastState?: { terminated?: { reason?: string; exitCode?: number } } }[];
  };
}

test.serial('scenario 4: a rollout to a broken image stalls with ProgressDeadlineExceeded; undo recovers', async (t) => {
  t.timeout(600_000);
  await namespace('e2e-broken');
  const deployment = (image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app' },
    spec: {
      replicas: 2,
      progressDeadlineSeconds: 20,
      selector: { matchLabels: { app: 'app' } },
      strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { app: 'app' } },
        spec: { containers: [{ name: 'web', image, imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2 } }] },
      },
    },
  });
  await apply('e2e-broken', deployment('skiff.local/web:v1'));
  await kubectl(['rollout', 'status', '-n', 'e2e-broken', 'deployment/app', '--timeout=180s']);
  await kubectl(['set', 'image', '-n', 'e2e-broken', 'deployment/app', 'web=skiff.local/does-not-exist:v9']);
  const stalled = await cluster.kubectl(['rollout', 'status', '-n', 'e2e-broken', 'deployment/app', '--timeout=120s'], { timeoutMs: 150_000 });
  t.not(stalled.code, 0);
  t.regex(stalled.stderr, /exceeded its progress deadline/);
  const d = await getJson<{ status: { conditions: { type: string; status: string; reason: string }[]; availableReplicas?: number } }>(['get', 'deployment', 'app', '-n', 'e2e-broken']);
  t.like(d.status.conditions.find((c) => c.type === 'Progressing'), { status: 'False', reason: 'ProgressDeadlineExceeded' });
  t.is(d.status.availableReplicas, 2, 'maxUnavailable 0 kept both old pods serving');
  const pods = await getJson<{ items: PodJson[] }>(['get', 'pods', '-n', 'e2e-broken']);
  const reasons = pods.items.map((p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason).filter(Boolean);
  t.true(reasons.some((r) => r === 'ErrImagePull' || r === 'ImagePullBackOff'), `the new pod waits on its image: ${reasons}`);
  await kubectl(['rollout', 'undo', '-n', 'e2e-broken', 'deployment/app']);
  t.regex(await kubectl(['rollout', 'status', '-n', 'e2e-broken', 'deployment/app', '--timeout=180s']), /successfully rolled out/);
  const after = await getJson<{ items: PodJson[] }>(['get', 'pods', '-n', 'e2e-broken']);
  t.is(after.items.filter((p) => p.status.phase === 'Running').length, 2);
});

test.serial('scenario 5: crashing and OOM containers restart with back-off and report their reasons', async (t) => {
  t.timeout(300_000);
  await namespace('e2e-crash');
  await apply('e2e-crash', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crasher' }, spec: { containers: [{ name: 'crasher', image: 'skiff.local/crasher:latest', imagePullPolicy: 'IfNotPresent' }] } });
  await apply('e2e-crash', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'oom' },
    spec: { containers: [{ name: 'oom', image: 'skiff.local/busybox:latest', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'sleep 0.3; x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived'], resources: { limits: { memory: '20Mi' } } }] },
  });
  const crashing = await eventually(
    'the crasher in CrashLoopBackOff after 2 restarts',
    async () => {
      const p = await getJson<PodJson>(['get', 'pod', 'crasher', '-n', 'e2e-crash']);
      const cs = p.status.containerStatuses?.[0];
      return cs && cs.restartCount >= 2 && cs.state?.waiting?.reason === 'CrashLoopBackOff' ? cs : undefined;
    },
    120_000,
  );
  t.like(crashing.lastState?.terminated, { reason: 'Error', exitCode: 1 });
  t.regex(await kubectl(['logs', '-n', 'e2e-crash', 'crasher', '--previous']), /crasher: starting, then exiting with status 1/);
  t.regex(await kubectl(['describe', 'pod', '-n', 'e2e-crash', 'crasher']), /Back-off restarting failed container|BackOff/);
  const oom = await eventually(
    'the OOM container killed and restarted',
    async () => {
      const p = await getJson<PodJson>(['get', 'pod', 'oom', '-n', 'e2e-crash']);
      const cs = p.status.containerStatuses?.[0];
      return cs && cs.restartCount >= 1 && cs.lastState?.terminated?.reason === 'OOMKilled' ? cs : undefined;
    },
    120_000,
  );
  t.is(oom.lastState?.terminated?.exitCode, 137);
});

test.serial('scenario 7: a Job and a CronJob complete; kubectl logs shows their output', async (t) => {
  t.timeout(300_000);
  await namespace('e2e-batch');
  await apply('e2e-batch', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'count' },
    spec: { completions: 3, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'count', image: 'skiff.local/batch:latest', imagePullPolicy: 'IfNotPresent', env: [{ name: 'COUNT', value: '3' }] }] } } },
  });
  await kubectl(['wait', '-n', 'e2e-batch', '--for=condition=complete', 'job/count', '--timeout=120s']);
  const job = await getJson<{ status: { succeeded?: number } }>(['get', 'job', 'count', '-n', 'e2e-batch']);
  t.is(job.status.succeeded, 3);
  t.is((await kubectl(['logs', '-n', 'e2e-batch', 'job/count'])).trim(), '1\n2\n3');

  await apply('e2e-batch', {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick' },
    spec: { schedule: '*/1 * * * *', successfulJobsHistoryLimit: 1, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'tick', image: 'skiff.local/busybox:latest', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo tick-from-cron'] }] } } } } },
  });
  const done = await eventually(
    'a CronJob run to complete (within ~1 minute)',
    async () => {
      const jobs = await getJson<{ items: { metadata: { name: string; ownerReferences?: { kind: string }[] }; status: { succeeded?: number } }[] }>(['get', 'jobs', '-n', 'e2e-batch']);
      return jobs.items.find((j) => j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob') && j.status.succeeded === 1);
    },
    150_000,
    2000,
  );
  t.is((await kubectl(['logs', '-n', 'e2e-batch', `job/${done.metadata.name}`])).trim(), 'tick-from-cron');
  const cj = await getJson<{ status: { lastScheduleTime?: string; lastSuccessfulTime?: string } }>(['get', 'cronjob', 'tick', '-n', 'e2e-batch']);
  t.truthy(cj.status.lastScheduleTime);
});

test.serial('agent acceptance 1: init container, two containers, configMap volume and Secret env; kubectl logs -f, exec -it and cp', async (t) => {
  t.timeout(300_000);
  await namespace('e2e-pod');
  await apply('e2e-pod', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { 'greeting.txt': 'hello from a configMap volume' } });
  await apply('e2e-pod', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 's3cr3t' } });
  await apply('e2e-pod', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'full' },
    spec: {
      initContainers: [{ name: 'init', image: 'skiff.local/busybox:latest', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo init done > /work/init.txt'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
      containers: [
        {
          name: 'main',
          image: 'skiff.local/busybox:latest',
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', 'for i in 1 2 3; do echo "line $i"; sleep 1; done; sleep 3600'],
          env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }],
          volumeMounts: [
            { name: 'settings', mountPath: '/etc/settings' },
            { name: 'work', mountPath: '/work' },
          ],
        },
        { name: 'sidecar', image: 'skiff.local/web:v1', imagePullPolicy: 'IfNotPresent' },
      ],
      volumes: [
        { name: 'settings', configMap: { name: 'settings' } },
        { name: 'work', emptyDir: {} },
      ],
    },
  });
  await kubectl(['wait', '-n', 'e2e-pod', '--for=condition=Ready', 'pod/full', '--timeout=120s']);
  const pod = await getJson<{ status: { phase: string; podIP: string; initContainerStatuses: { state: { terminated?: { reason: string; exitCode: number } } }[]; containerStatuses: { name: string; ready: boolean; containerID: string }[] } }>(['get', 'pod', 'full', '-n', 'e2e-pod']);
  t.is(pod.status.phase, 'Running');
  t.like(pod.status.initContainerStatuses[0]!.state.terminated, { reason: 'Completed', exitCode: 0 });
  t.deepEqual(pod.status.containerStatuses.map((c) => [c.name, c.ready]).sort(), [['main', true], ['sidecar', true]]);
  t.true(pod.status.containerStatuses.every((c) => /^\w+:\/\/\w+/.test(c.containerID)));
  t.regex(pod.status.podIP, /^10\.42\./);
  // logs -f follows the running container; --request-timeout ends the stream after 6 s.
  const follow = await cluster.kubectl(['logs', '-f', '-n', 'e2e-pod', 'full', '-c', 'main', '--request-timeout=6s'], { timeoutMs: 20_000 });
  t.regex(follow.stdout, /line 1\nline 2\nline 3/);
  // exec -i with a script on stdin: the volume, the Secret env and the init container's file.
  const exec = await kubectl(['exec', '-i', '-n', 'e2e-pod', 'full', '-c', 'main', '--', 'sh'], 'cat /etc/settings/greeting.txt; echo; echo "pw=$PASSWORD"; cat /work/init.txt; exit 3\n').catch((e: Error) => e.message);
  t.regex(exec, /hello from a configMap volume/);
  t.regex(exec, /pw=s3cr3t/);
  t.regex(exec, /init done/);
  t.regex(exec, /exit code 3/, 'the exit code comes back');
  // exec -it through a pseudo-terminal (script(1) gives kubectl a TTY).
  const tty = await new Promise<string>((resolve) => {
    const child = spawn('script', ['-qec', `kubectl --kubeconfig ${cluster.kubeconfig} exec -it -n e2e-pod full -c main -- sh -c 'tty; echo cols=$(stty size)'`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
  t.regex(tty, /\/dev\/pts\/\d+/, `a terminal inside the container: ${tty}`);
  // kubectl cp: tar in the container over exec, both ways.
  const dir = mkdtempSync(join(tmpdir(), 'skifftest-cp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'in.txt'), 'copied in\n');
  await kubectl(['cp', '-c', 'main', join(dir, 'in.txt'), 'e2e-pod/full:/tmp/in.txt']);
  t.is(await kubectl(['exec', '-n', 'e2e-pod', 'full', '-c', 'main', '--', 'cat', '/tmp/in.txt']), 'copied in\n');
  await kubectl(['exec', '-n', 'e2e-pod', 'full', '-c', 'main', '--', 'sh', '-c', 'echo made inside > /tmp/out.txt']);
  await kubectl(['cp', '-c', 'main', 'e2e-pod/full:/tmp/out.txt', join(dir, 'out.txt')]);
  t.is(readFileSync(join(dir, 'out.txt'), 'utf8'), 'made inside\n');
});

test.serial('kubectl run -i --rm, kubectl run -it and kubectl attach reach the container’s own stdio', async (t) => {
  await kubectl(['create', 'namespace', 'e2e-attach']);
  const image = ['--image=skiff.local/busybox:latest', '--image-pull-policy=IfNotPresent'];
  // run -i: stdin goes to the container over pods/attach; --rm deletes the pod afterwards.
  const once = await cluster.kubectl(['run', '-i', '--rm', '--restart=Never', '-n', 'e2e-attach', 'reader', ...image, '--', 'sh', '-c', 'read line; echo "got $line"'], { input: 'hello\n', timeoutMs: 120_000 });
  t.is(once.code, 0, once.stderr);
  t.regex(once.stdout, /got hello/);
  await eventually('the --rm pod to be gone', async () => (await cluster.kubectl(['get', 'pod', '-n', 'e2e-attach', 'reader'])).code !== 0);
  // the container's exit code becomes kubectl's
  const failing = await cluster.kubectl(['run', '-i', '--restart=Never', '-n', 'e2e-attach', 'failing', ...image, '--', 'sh', '-c', 'read line; echo "bye $line"; exit 7'], { input: 'now\n', timeoutMs: 120_000 });
  t.regex(failing.stdout, /bye now/);
  t.is(failing.code, 7, failing.stderr);
  // run -it through a pseudo-terminal (script(1) gives kubectl one): the container has a terminal too.
  const tty = await new Promise<string>((resolve) => {
    const child = spawn('script', ['-qec', `kubectl --kubeconfig ${cluster.kubeconfig} run -it --rm --restart=Never -n e2e-attach term ${image.join(' ')} -- sh -c 'read line; tty; echo "typed $line"'`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let typed = false;
    const type = () => {
      if (!typed) child.stdin.write('abc\r');
      typed = true;
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // kubectl prints its hint once attached; the terminal keeps what is typed before that.
      if (/If you don't see a command prompt/.test(out)) type();
    });
    const early = setTimeout(type, 30_000);
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', () => {
      clearTimeout(timer);
      clearTimeout(early);
      resolve(out);
    });
  });
  t.regex(tty, /\/dev\/pts\/\d+/, `a terminal inside the container: ${tty}`);
  t.regex(tty, /typed abc/);
  // attach to a pod that is already running (stdinOnce: the end of input ends the container)
  await apply('e2e-attach', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo' }, spec: { restartPolicy: 'Never', containers: [{ name: 'echo', image: 'skiff.local/busybox:latest', imagePullPolicy: 'IfNotPresent', stdin: true, stdinOnce: true, command: ['sh', '-c', 'while read l; do echo "echo $l"; done; echo eof'] }] } });
  await kubectl(['wait', '--for=condition=Ready', '-n', 'e2e-attach', 'pod/echo', '--timeout=120s']);
  const attached = await cluster.kubectl(['attach', '-i', '-n', 'e2e-attach', 'echo'], { input: 'one\ntwo\n', timeoutMs: 60_000 });
  t.is(attached.code, 0, attached.stderr);
  t.regex(attached.stdout, /echo one\necho two\neof/);
  await eventually('the pod to succeed', async () => (await getJson<PodJson>(['get', 'pod', '-n', 'e2e-attach', 'echo'])).status.phase === 'Succeeded');
  // the same with skiff attach
  await apply('e2e-attach', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo2' }, spec: { restartPolicy: 'Never', containers: [{ name: 'echo', image: 'skiff.local/busybox:latest', imagePullPolicy: 'IfNotPresent', stdin: true, stdinOnce: true, command: ['sh', '-c', 'while read l; do echo "echo $l"; done; echo eof'] }] } });
  await kubectl(['wait', '--for=condition=Ready', '-n', 'e2e-attach', 'pod/echo2', '--timeout=120s']);
  const skiffAttached = await cluster.skiff(['attach', '-i', '-n', 'e2e-attach', 'echo2'], { input: 'three\n', timeoutMs: 60_000 });
  t.is(skiffAttached.code, 0, skiffAttached.stderr);
  t.regex(skiffAttached.stdout, /echo three\neof/);
});
