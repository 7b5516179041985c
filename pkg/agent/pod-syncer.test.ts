import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newPod } from '../api/core/pod-builders.js';
import type { Pod, PodSpec } from '../api/core/pod-types.js';
import { silentLogger } from '../client/logger.js';
import { FakeClock } from '../client/testing/fake_clock.js';
import { ImageManager } from './images.js';
import type { Mounter } from './mounter.js';
import type { PodNetwork } from './network.js';
import { mapObjectSource } from './objects.js';
import { PodSyncer } from './pod-syncer.js';
import { ProbeManager } from './probe-manager.js';
import { FakeRuntime } from './testing/fake-runtime.js';
import { VolumeManager } from './volumes.js';

const noMounts: Mounter = { mountTmpfs: async () => {}, unmount: async () => {}, isMountPoint: async () => false, mountPointsUnder: async () => [] };
const noNetwork: PodNetwork = { setUp: async (uid) => ({ netnsPath: `/run/netns/fake-${uid}`, ip: '' }), tearDown: async () => {}, list: async () => [] };

async function setup(t: { teardown: (f: () => Promise<void>) => void }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'skifftest-sync-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = new FakeClock();
  const rt = new FakeRuntime(() => clock.now());
  const objects = mapObjectSource();
  const probeChecks: string[] = [];
  const probes = new ProbeManager({ prober: { check: async () => (probeChecks.push('x'), { success: false, message: 'fail' }) }, clock, onChange: () => {} });
  t.teardown(async () => probes.stop());
  const syncer = new PodSyncer({
    runtime: rt,
    images: new ImageManager(rt, () => clock.now()),
    volumes: new VolumeManager({ podsDir: path.join(dir, 'pods'), objects, mounter: noMounts }),
    network: noNetwork,
    probes,
    objects,
    logsDir: path.join(dir, 'logs'),
    hostIP: '10.0.0.1',
    now: () => clock.now(),
    logger: silentLogger(),
  });
  return { clock, rt, syncer, probes };
}

function pod(spec: Partial<PodSpec>): Pod {
  const p = newPod({ name: 'p', spec: { containers: [{ name: 'app', image: 'busybox', imagePullPolicy: 'IfNotPresent' }], ...spec } });
  p.metadata.uid = 'uid-1';
  return p;
}

test('a new pod gets a sandbox and a running container; status is Running and Ready', async (t) => {
  const { rt, syncer } = await setup(t);
  const p = pod({});
  const r = await syncer.sync(p);
  t.deepEqual(rt.calls, ['runPodSandbox p', 'createContainer app 0']);
  t.is(r.status.phase, 'Running');
  const cs = r.status.containerStatuses![0]!;
  t.truthy(cs.state?.running);
  t.true(cs.ready);
  t.is(cs.restartCount, 0);
  t.regex(cs.containerID!, /^skiff:\/\/c\d+$/);
  t.is(r.status.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
  t.is(r.status.hostIP, '10.0.0.1');
  // A second pass changes nothing.
  await syncer.sync(p);
  t.is(rt.calls.length, 2);
});

test('a crashing container: immediate first restart, then CrashLoopBackOff 10 s, 20 s, with restartCount', async (t) => {
  const { clock, rt, syncer } = await setup(t);
  const p = pod({});
  await syncer.sync(p);
  const exitLatest = () => rt.exit(rt.byName('app').at(-1)!.id, 1);
  exitLatest();
  let r = await syncer.sync(p); // restart 1: immediate
  t.is(rt.byName('app').length, 2);
  t.is(r.status.containerStatuses![0]!.restartCount, 1);
  t.is(r.status.containerStatuses![0]!.lastState!.terminated!.exitCode, 1);
  t.is(r.status.containerStatuses![0]!.lastState!.terminated!.reason, 'Error');

  exitLatest();
  r = await syncer.sync(p);
  t.is(r.status.containerStatuses![0]!.state!.waiting!.reason, 'CrashLoopBackOff');
  t.regex(r.status.containerStatuses![0]!.state!.waiting!.message!, /back-off 10s/);
  t.is(r.requeueAfterMs, 10_000);
  t.is(r.status.phase, 'Running');
  clock.step(9_000);
  await syncer.sync(p);
  t.is(rt.byName('app').length, 2, 'still backing off');
  clock.step(1_000);
  r = await syncer.sync(p);
  t.is(rt.byName('app').length, 2, 'the oldest attempt is removed, the latest two kept');
  t.is(rt.byName('app').at(-1)!.metadata.attempt, 2);
  t.is(r.status.containerStatuses![0]!.restartCount, 2);

  exitLatest();
  r = await syncer.sync(p);
  t.is(r.requeueAfterMs, 20_000, 'the delay doubles');
  t.regex(r.status.containerStatuses![0]!.state!.waiting!.message!, /back-off 20s/);

});

test('restartPolicy Never: exit 0 → Succeeded, non-zero → Failed; OnFailure does not restart a success', async (t) => {
  for (const [policy, code, phase, restarts] of [
    ['Never', 0, 'Succeeded', 0],
    ['Never', 3, 'Failed', 0],
    ['OnFailure', 0, 'Succeeded', 0],
    ['OnFailure', 3, 'Running', 1],
  ] as const) {
    const { rt, syncer } = await setup(t);
    const p = pod({ restartPolicy: policy });
    await syncer.sync(p);
    rt.exit(rt.byName('app')[0]!.id, code);
    const r = await syncer.sync(p);
    t.is(r.status.phase, phase, `${policy} exit ${code}`);
    t.is(rt.byName('app').length, 1 + restarts, `${policy} exit ${code} restarts`);
    if (phase === 'Succeeded' || phase === 'Failed') t.is([...rt.sandboxes.values()][0]!.state, 'SANDBOX_NOTREADY', 'a finished pod releases its sandbox');
  }
});

test('init containers run one at a time and in order before app containers', async (t) => {
  const { rt, syncer } = await setup(t);
  const p = pod({ initContainers: [{ name: 'init1', image: 'busybox' }, { name: 'init2', image: 'busybox' }] });
  let r = await syncer.sync(p);
  t.deepEqual(rt.calls.slice(1), ['createContainer init1 0']);
  t.is(r.status.phase, 'Pending');
  t.is(r.status.containerStatuses![0]!.state!.waiting!.reason, 'PodInitializing');
  t.is(r.status.conditions!.find((c) => c.type === 'Initialized')!.status, 'False');
  rt.exit(rt.byName('init1')[0]!.id, 0);
  await syncer.sync(p);
  t.deepEqual(rt.calls.slice(1), ['createContainer init1 0', 'createContainer init2 0']);
  rt.exit(rt.byName('init2')[0]!.id, 0);
  r = await syncer.sync(p);
  t.deepEqual(rt.calls.slice(3), ['createContainer app 0']);
  t.is(r.status.phase, 'Running');
  t.is(r.status.initContainerStatuses![1]!.state!.terminated!.reason, 'Completed');
});

test('a failing init container with restartPolicy Never fails the pod', async (t) => {
  const { rt, syncer } = await setup(t);
  const p = pod({ restartPolicy: 'Never', initContainers: [{ name: 'init1', image: 'busybox' }] });
  await syncer.sync(p);
  rt.exit(rt.byName('init1')[0]!.id, 2);
  const r = await syncer.sync(p);
  t.is(r.status.phase, 'Failed');
  t.is(rt.byName('app').length, 0);
});

test('image problems show as ErrImagePull then ImagePullBackOff; missing ConfigMap as CreateContainerConfigError', async (t) => {
  const { clock, syncer } = await setup(t);
  const p = pod({ containers: [{ name: 'app', image: 'missing:1', imagePullPolicy: 'IfNotPresent' }] });
  let r = await syncer.sync(p);
  t.is(r.status.containerStatuses![0]!.state!.waiting!.reason, 'ErrImagePull');
  t.is(r.status.phase, 'Pending');
  clock.step(1_000);
  r = await syncer.sync(p);
  t.is(r.status.containerStatuses![0]!.state!.waiting!.reason, 'ImagePullBackOff');

  const q = pod({ containers: [{ name: 'app', image: 'busybox', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }] });
  q.metadata.uid = 'uid-2';
  r = await syncer.sync(q);
  t.is(r.status.containerStatuses![0]!.state!.waiting!.reason, 'CreateContainerConfigError');
  t.regex(r.status.containerStatuses![0]!.state!.waiting!.message!, /configmap "nope" not found/);
});

test('a liveness failure kills only that container, which restarts', async (t) => {
  const { clock, rt, syncer } = await setup(t);
  const p = pod({
    containers: [
      { name: 'app', image: 'busybox', livenessProbe: { exec: { command: ['check'] }, periodSeconds: 1, failureThreshold: 2 } },
      { name: 'side', image: 'busybox' },
    ],
  });
  await syncer.sync(p);
  const side = rt.byName('side')[0]!.id;
  await clock.advance(0);
  await clock.advance(1_000);
  await syncer.sync(p); // kills app (exit 143 after SIGTERM)
  t.is(rt.byName('app')[0]!.state, 'CONTAINER_EXITED');
  const r = await syncer.sync(p); // restarts app
  t.is(rt.byName('app').length, 2);
  t.is(r.status.containerStatuses![0]!.restartCount, 1);
  t.is(rt.byName('side')[0]!.id, side);
  t.is(rt.byName('side')[0]!.state, 'CONTAINER_RUNNING');
});

test('terminate stops containers with the grace period and removes everything', async (t) => {
  const { rt, syncer } = await setup(t);
  const p = pod({ terminationGracePeriodSeconds: 7 });
  await syncer.sync(p);
  const id = rt.byName('app')[0]!.id;
  const status = await syncer.terminate(p, 7);
  t.is(rt.stopTimeouts.get(id), 7);
  t.is(status.containerStatuses![0]!.state!.terminated!.exitCode, 143);
  t.is(rt.containers.size, 0);
  t.is(rt.sandboxes.size, 0);
});

test('a changed container spec (image) replaces the container', async (t) => {
  const { rt, syncer } = await setup(t);
  const p = pod({});
  await syncer.sync(p);
  p.spec.containers[0]!.image = 'busybox:2';
  await syncer.sync(p);
  await syncer.sync(p);
  t.is(rt.byName('app').length, 2);
  t.is(rt.byName('app')[1]!.image.image, 'sha256:busybox:2');
});
