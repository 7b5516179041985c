import test from 'ava';
import type { CronJob } from '../../api/batch/cronjob.js';
import type { Job } from '../../api/batch/job.js';
import { rfc3339 } from '../../api/meta.js';
import { type FakeEnv, startFakeEnv } from '../testing/env.js';
import { CronJobController } from './cronjob.js';

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);
const MIN = 60_000;

function newCronJob(policy: 'Allow' | 'Forbid' | 'Replace' = 'Allow', extra: Partial<CronJob['spec']> = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', creationTimestamp: rfc3339(new Date(T0)) },
    spec: {
      schedule: '* * * * *',
      concurrencyPolicy: policy,
      successfulJobsHistoryLimit: 2,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } },
      ...extra,
    },
  };
}

const jobs = (env: FakeEnv) => (env.server.objects('batch/v1/jobs') as Job[]).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
const cronJob = (env: FakeEnv) => env.server.objects('batch/v1/cronjobs')[0] as CronJob;

function complete(env: FakeEnv, job: Job, at: number): void {
  const t = rfc3339(new Date(at));
  env.server.seed('batch/v1/jobs', { ...job, status: { succeeded: 1, completionTime: t, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: t }] } } as Job);
}

async function setup(t: { teardown(fn: () => Promise<void>): void }, cj: CronJob): Promise<{ env: FakeEnv; c: CronJobController }> {
  const env = await startFakeEnv(T0);
  t.teardown(() => env.stop());
  env.server.seed('batch/v1/cronjobs', cj);
  const c = new CronJobController(env.ctx);
  await env.start();
  return { env, c };
}

async function syncAt(env: FakeEnv, c: CronJobController, at: number): Promise<unknown> {
  env.clock.step(at - env.clock.now());
  await env.settle();
  const r = await c.sync('default/tick');
  await env.settle();
  return r;
}

test('an every-minute CronJob creates one Job per minute, on time, named by the minute', async (t) => {
  const { env, c } = await setup(t, newCronJob());
  t.deepEqual(await syncAt(env, c, T0 + 30_000), { requeueAfter: 30_000 });
  t.is(jobs(env).length, 0);
  await syncAt(env, c, T0 + MIN);
  await syncAt(env, c, T0 + MIN + 5_000); // a repeated sync starts nothing twice
  t.deepEqual(jobs(env).map((j) => j.metadata.name), [`tick-${T0 / MIN + 1}`]);
  t.is(jobs(env)[0].metadata.ownerReferences?.[0].kind, 'CronJob');
  t.is(cronJob(env).status?.lastScheduleTime, rfc3339(new Date(T0 + MIN)));
  t.is(cronJob(env).status?.active?.length, 1);
  await syncAt(env, c, T0 + 2 * MIN);
  t.is(jobs(env).length, 2);
});

test('after downtime only the most recent missed run is started', async (t) => {
  const { env, c } = await setup(t, newCronJob());
  await syncAt(env, c, T0 + 10 * MIN + 1000);
  t.deepEqual(jobs(env).map((j) => j.metadata.name), [`tick-${T0 / MIN + 10}`]);
});

test('startingDeadlineSeconds skips a run that is too late', async (t) => {
  const { env, c } = await setup(t, newCronJob('Allow', { startingDeadlineSeconds: 10 }));
  await syncAt(env, c, T0 + MIN + 20_000);
  t.is(jobs(env).length, 0);
});

test('Forbid skips while a Job runs; Replace replaces it', async (t) => {
  const { env, c } = await setup(t, newCronJob('Forbid'));
  await syncAt(env, c, T0 + MIN);
  await syncAt(env, c, T0 + 2 * MIN);
  t.is(jobs(env).length, 1, 'Forbid: no second Job while the first is active');
  complete(env, jobs(env)[0], T0 + 2 * MIN + 10_000);
  await syncAt(env, c, T0 + 2 * MIN + 20_000);
  t.is(jobs(env).length, 2, 'the pending run starts once the active Job finished');

  const replace = structuredClone(cronJob(env));
  replace.spec.concurrencyPolicy = 'Replace';
  env.server.seed('batch/v1/cronjobs', replace);
  await syncAt(env, c, T0 + 3 * MIN);
  const names = jobs(env).map((j) => j.metadata.name);
  t.false(names.includes(`tick-${T0 / MIN + 2}`), 'the running Job was replaced');
  t.true(names.includes(`tick-${T0 / MIN + 3}`));
});

test('history limits keep the newest finished Jobs', async (t) => {
  const { env, c } = await setup(t, newCronJob());
  for (let m = 1; m <= 5; m++) {
    await syncAt(env, c, T0 + m * MIN);
    for (const j of jobs(env)) if (!j.status?.completionTime) complete(env, j, T0 + m * MIN + 1000);
  }
  await syncAt(env, c, T0 + 5 * MIN + 30_000);
  t.deepEqual(jobs(env).map((j) => j.metadata.name), [`tick-${T0 / MIN + 4}`, `tick-${T0 / MIN + 5}`]);
  t.is(cronJob(env).status?.lastSuccessfulTime, rfc3339(new Date(T0 + 5 * MIN + 1000)));
});

test('a suspended CronJob starts nothing', async (t) => {
  const { env, c } = await setup(t, newCronJob('Allow', { suspend: true }));
  await syncAt(env, c, T0 + 3 * MIN);
  t.is(jobs(env).length, 0);
});
