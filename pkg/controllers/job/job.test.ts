import test from 'ava';
import type { Job } from '../../api/batch/job.js';
import type { Pod } from '../../api/core/pod-types.js';
import { getCondition } from '../../api/kind.js';
import { rfc3339 } from '../../api/meta.js';
import { type FakeEnv, startFakeEnv } from '../testing/env.js';
import { JobController } from './job.js';

function newJob(opts: { completions?: number; parallelism?: number; backoffLimit?: number; activeDeadlineSeconds?: number; ttl?: number }): Job {
  const labels = { 'batch.kubernetes.io/job-name': 'work' };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'work', namespace: 'default' },
    spec: {
      completions: opts.completions,
      parallelism: opts.parallelism,
      backoffLimit: opts.backoffLimit,
      activeDeadlineSeconds: opts.activeDeadlineSeconds,
      ttlSecondsAfterFinished: opts.ttl,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } },
    },
  };
}

const pods = (env: FakeEnv) => env.server.objects('/v1/pods') as Pod[];
const job = (env: FakeEnv) => env.server.objects('batch/v1/jobs')[0] as Job;
const activePods = (env: FakeEnv) => pods(env).filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');

function finishPods(env: FakeEnv, phase: 'Succeeded' | 'Failed', n = Infinity): void {
  for (const p of activePods(env).slice(0, n)) {
    const at = rfc3339(new Date(env.clock.now()));
    env.server.seed('/v1/pods', { ...p, status: { phase, containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, finishedAt: at } } }] } } as Pod);
  }
}

async function setup(t: { teardown(fn: () => Promise<void>): void }, j: Job): Promise<{ env: FakeEnv; c: JobController }> {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  env.server.seed('batch/v1/jobs', j);
  const c = new JobController(env.ctx, { backoffBaseMs: 10_000 });
  await env.start();
  return { env, c };
}

async function step(env: FakeEnv, c: JobController): Promise<unknown> {
  await env.settle();
  const r = await c.sync('default/work');
  await env.settle();
  return r;
}

test('completions 5 / parallelism 2 completes with exactly 5 successes, never more than 2 at once', async (t) => {
  const { env, c } = await setup(t, newJob({ completions: 5, parallelism: 2 }));
  for (let i = 0; i < 10 && !getCondition(job(env).status, 'Complete'); i++) {
    await step(env, c);
    t.true(activePods(env).length <= 2);
    finishPods(env, 'Succeeded', 1);
  }
  await step(env, c);
  const status = job(env).status;
  t.is(getCondition(status, 'Complete')?.status, 'True');
  t.is(status?.succeeded, 5);
  t.is(pods(env).filter((p) => p.status?.phase === 'Succeeded').length, 5);
  t.truthy(status?.completionTime);
});

test('failed pods are retried after an exponential delay and the Job fails past backoffLimit', async (t) => {
  const { env, c } = await setup(t, newJob({ completions: 1, backoffLimit: 2 }));
  await step(env, c);
  finishPods(env, 'Failed');
  // First retry waits 10 s after the failure.
  t.deepEqual(await step(env, c), { requeueAfter: 10_000 });
  t.is(activePods(env).length, 0);
  env.clock.step(10_000);
  await step(env, c);
  t.is(activePods(env).length, 1);
  finishPods(env, 'Failed');
  // Second retry waits 20 s.
  t.deepEqual(await step(env, c), { requeueAfter: 20_000 });
  env.clock.step(20_000);
  await step(env, c);
  finishPods(env, 'Failed');
  await step(env, c);
  const failed = getCondition(job(env).status, 'Failed');
  t.is(failed?.status, 'True');
  t.is(failed?.reason, 'BackoffLimitExceeded');
  t.is(job(env).status?.failed, 3);
  t.is(pods(env).length, 3);
});

test('activeDeadlineSeconds fails the Job and stops its pods', async (t) => {
  const { env, c } = await setup(t, newJob({ completions: 1, activeDeadlineSeconds: 30 }));
  const r = (await step(env, c)) as { requeueAfter: number };
  t.is(r.requeueAfter, 30_000);
  env.clock.step(30_000);
  await step(env, c);
  t.is(getCondition(job(env).status, 'Failed')?.reason, 'DeadlineExceeded');
  t.is(pods(env).length, 0);
});

test('ttlSecondsAfterFinished deletes the finished Job', async (t) => {
  const { env, c } = await setup(t, newJob({ completions: 1, ttl: 60 }));
  await step(env, c);
  finishPods(env, 'Succeeded');
  await step(env, c);
  t.deepEqual(await step(env, c), { requeueAfter: 60_000 });
  env.clock.step(60_000);
  await step(env, c);
  t.is(env.server.objects('batch/v1/jobs').length, 0);
});
