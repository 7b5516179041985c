import test from 'ava';
import { formatMicroTime, type Lease, LeaderElector } from './leaderelection.js';
import { silentLogger } from './logger.js';
import { RestClient } from './rest.js';
import { FakeApiServer } from './testing/fake_apiserver.js';

const LEASES = 'coordination.k8s.io/v1/leases';

interface Candidate {
  id: string;
  elector: LeaderElector;
  stop: AbortController;
  done: Promise<void>;
  events: string[];
  leadingSignal?: AbortSignal;
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const api = new FakeApiServer();
  await api.start();
  const candidates: Candidate[] = [];
  const clients: RestClient[] = [];
  t.teardown(async () => {
    for (const c of candidates) c.stop.abort();
    await Promise.all(candidates.map((c) => c.done));
    for (const c of clients) c.close();
    await api.stop();
  });
  const start = (id: string, opts: { releaseOnCancel?: boolean; leaseDurationMs?: number; renewDeadlineMs?: number } = {}): Candidate => {
    const client = new RestClient({ server: api.url, userAgent: id, maxRetries: 0 });
    clients.push(client);
    const events: string[] = [];
    const stop = new AbortController();
    const c = { id, stop, events } as Candidate;
    c.elector = new LeaderElector({
      client,
      namespace: 'kube-system',
      name: 'skiff-scheduler',
      identity: id,
      leaseDurationMs: opts.leaseDurationMs ?? 1000,
      renewDeadlineMs: opts.renewDeadlineMs ?? 600,
      retryPeriodMs: 100,
      releaseOnCancel: opts.releaseOnCancel,
      logger: silentLogger(),
      callbacks: {
        onStartedLeading: (signal) => {
          c.leadingSignal = signal;
          events.push('started');
        },
        onStoppedLeading: () => events.push('stopped'),
        onNewLeader: (who) => events.push(`leader ${who}`),
      },
    });
    c.done = c.elector.run(stop.signal);
    candidates.push(c);
    return c;
  };
  const lease = (): Lease | undefined => api.objects(LEASES)[0] as unknown as Lease | undefined;
  return { api, start, lease };
}

async function eventually(cond: () => boolean, what: string, timeoutMs = 15000): Promise<number> {
  const started = Date.now();
  while (!cond()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

test('MicroTime has microsecond precision', (t) => {
  t.is(formatMicroTime(Date.UTC(2024, 0, 1, 0, 0, 0, 123)), '2024-01-01T00:00:00.123000Z');
});

test('one of two candidates leads; the lease records holder, times and transitions', async (t) => {
  const { start, lease } = await setup(t);
  // Generous deadlines: real timers on a loaded 2-core machine must not make a renewal miss.
  const steady = { leaseDurationMs: 4000, renewDeadlineMs: 3000 };
  const a = start('a', steady);
  await eventually(() => a.elector.isLeader(), 'a leads');
  const b = start('b', steady);
  await eventually(() => b.events.includes('leader a'), 'b observes a');
  await new Promise((r) => setTimeout(r, 400));
  t.false(b.elector.isLeader());
  t.deepEqual(a.events, ['leader a', 'started']);
  const l = lease();
  t.is(l?.spec.holderIdentity, 'a');
  t.is(l?.spec.leaseDurationSeconds, 4);
  t.is(l?.spec.leaseTransitions, 0);
  t.regex(l?.spec.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  t.not(l?.spec.renewTime, l?.spec.acquireTime, 'a keeps renewing');
});

test('a graceful stop releases the lease and the other candidate takes over at once', async (t) => {
  const { start, lease } = await setup(t);
  const slow = { leaseDurationMs: 20000, renewDeadlineMs: 15000 };
  const a = start('a', slow);
  await eventually(() => a.elector.isLeader(), 'a leads');
  const b = start('b', slow);
  await eventually(() => b.events.includes('leader a'), 'b observes a');
  a.stop.abort();
  await a.done;
  t.true(a.leadingSignal?.aborted);
  t.deepEqual(a.events.slice(-1), ['stopped']);
  const waited = await eventually(() => b.elector.isLeader(), 'b takes over');
  t.true(waited < 10000, `took over in ${waited} ms, well before the 20 s lease expired`);
  t.is(lease()?.spec.holderIdentity, 'b');
  t.is(lease()?.spec.leaseTransitions, 1);
  t.is(lease()?.spec.leaseDurationSeconds, 20);
});

test('if the leader vanishes without releasing, another takes over only after the lease expires', async (t) => {
  const { start, lease } = await setup(t);
  const a = start('a', { releaseOnCancel: false });
  await eventually(() => a.elector.isLeader(), 'a leads');
  const b = start('b');
  await eventually(() => b.events.includes('leader a'), 'b observes a');
  a.stop.abort(); // a crashes: stops renewing, leaves its name in the lease
  await a.done;
  const lastRenew = Date.now();
  t.is(lease()?.spec.holderIdentity, 'a');
  await eventually(() => b.elector.isLeader(), 'b takes over');
  const waited = Date.now() - lastRenew;
  t.true(waited >= 850, `waited ${waited} ms for expiry`);
  t.is(lease()?.spec.holderIdentity, 'b');
  t.is(lease()?.spec.leaseTransitions, 1);
  t.true(b.events.includes('leader b'));
});

test('a leader that cannot renew within renewDeadline steps down and its work is cancelled', async (t) => {
  const { api, start } = await setup(t);
  const a = start('a');
  await eventually(() => a.elector.isLeader(), 'a leads');
  api.inject((r) => (r.headers['user-agent'] === 'a' && r.method === 'PUT' ? { status: 500 } : undefined));
  const failedAt = Date.now();
  await a.done;
  const took = Date.now() - failedAt;
  t.true(took >= 500 && took < 3000, `stepped down after ${took} ms`);
  t.true(a.leadingSignal?.aborted);
  t.deepEqual(a.events, ['leader a', 'started', 'stopped']);
});

test('candidates started together never lead at the same time', async (t) => {
  const { start } = await setup(t);
  const all = ['a', 'b', 'c'].map((id) => start(id));
  await eventually(() => all.some((c) => c.elector.isLeader()), 'someone leads');
  let samplesWithLeader = 0;
  for (let i = 0; i < 30; i++) {
    t.true(all.filter((c) => c.events.includes('started') && !c.events.includes('stopped')).length <= 1);
    const leaders = all.filter((c) => c.elector.isLeader()).length;
    t.true(leaders <= 1, 'never two leaders');
    if (leaders === 1) samplesWithLeader++;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.true(samplesWithLeader > 0);
});

test('invalid timings are rejected', (t) => {
  const client = new RestClient({ server: 'http://127.0.0.1:1' });
  const base = { client, namespace: 'n', name: 'l', identity: 'x', callbacks: { onStartedLeading: () => {} } };
  t.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }));
  t.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2000, retryPeriodMs: 2000 }));
  t.throws(() => new LeaderElector({ ...base, identity: '' }));
  client.close();
});
