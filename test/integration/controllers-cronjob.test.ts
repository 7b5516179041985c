// CronJob against the real API server over etcd: the controller manager runs everything but the
// CronJob controller, which runs here on a fake clock so a "*/1 * * * *" schedule takes seconds,
// not minutes. Each stepped minute starts one Job named by its minute; the Job controller and a
// fake kubelet complete it; history beyond successfulJobsHistoryLimit is deleted.
import test from 'ava';
import type { CronJob } from '../../pkg/api/batch/cronjob.js';
import type { Job } from '../../pkg/api/batch/job.js';
import { getCondition } from '../../pkg/api/kind.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { silentLogger } from '../../pkg/client/logger.js';
import { Resources } from '../../pkg/client/resources.js';
import { FakeClock } from '../../pkg/client/testing/fake_clock.js';
import { CronJobController, jobNameFor, SCHEDULED_TIMESTAMP_ANNOTATION } from '../../pkg/controllers/cronjob/cronjob.js';
import { startTestCluster, waitFor } from '../lib/fakekubelet.js';

test.serial('a */1 CronJob on a fast clock starts one Job per minute, they complete, and history is trimmed', async (t) => {
  const cluster = await startTestCluster({ controllers: ['*', '-cronjob'], kubelet: { readyDelayMs: 50, finish: () => 'Succeeded' } });
  const abort = new AbortController();
  const informers = new SharedInformerFactory(cluster.client, { logger: silentLogger() });
  // Half a minute past a minute boundary, so the first scheduled time is ~30 s of fake time away.
  const clock = new FakeClock(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
  const controller = new CronJobController({ client: cluster.client, informers, clock, logger: silentLogger() });
  informers.start(abort.signal);
  const running = controller.run(abort.signal);
  t.teardown(async () => {
    abort.abort();
    await running.catch(() => undefined);
    await informers.shutdown();
    await cluster.cleanup();
  });

  const ns = 'skifftest-cron';
  await cluster.client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const cronApi = cluster.client.resource<CronJob>(Resources.cronjobs).namespace(ns);
  const jobApi = cluster.client.resource<Job>(Resources.jobs).namespace(ns);
  const cj = await cronApi.create({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: ns },
    spec: {
      schedule: '*/1 * * * *',
      successfulJobsHistoryLimit: 2,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'registry.local/tick:1' }] } } } },
    },
  } as CronJob);
  // Created "in the future" of the fake clock would hide earlier minutes; the controller only
  // considers times after the CronJob's creation, so start stepping from its creation time.
  const created = Date.parse(cj.metadata.creationTimestamp ?? '');
  if (created > clock.now()) clock.step(created - clock.now());

  await new Promise((r) => setTimeout(r, 500));
  t.is((await jobApi.list()).items.length, 0, 'no Job before the first scheduled minute');

  const minutes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const next = (Math.floor(clock.now() / 60_000) + 1) * 60_000;
    clock.step(next - clock.now() + 1_000);
    minutes.push(next);
    const name = jobNameFor(cj, next);
    const job = await waitFor(`Job ${name} complete`, async () => {
      const j = await jobApi.get(name);
      return getCondition(j.status, 'Complete')?.status === 'True' ? j : undefined;
    }, 60_000);
    t.is(job.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION], new Date(next).toISOString().replace(/\.\d+Z$/, 'Z'));
    t.is(job.metadata.ownerReferences?.[0].kind, 'CronJob');
    // The CronJob notices the finished Job (a Job event wakes it) before the next minute.
    await waitFor(`CronJob status after ${name}`, async () => {
      const cur = await cronApi.get('tick');
      return !cur.status?.active?.length && cur.status?.lastScheduleTime === new Date(next).toISOString().replace(/\.\d+Z$/, 'Z') && cur.status?.lastSuccessfulTime ? cur : undefined;
    }, 30_000);
  }

  // Only the two newest successful Jobs remain, and exactly one Job ran per minute.
  const kept = await waitFor('history trimmed to 2', async () => {
    const jobs = (await jobApi.list()).items.filter((j) => !j.metadata.deletionTimestamp);
    return jobs.length === 2 ? jobs : undefined;
  }, 30_000);
  t.deepEqual(kept.map((j) => j.metadata.name).sort(), minutes.slice(2).map((m) => jobNameFor(cj, m)).sort());
});
