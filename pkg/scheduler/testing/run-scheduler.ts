// run-scheduler.ts: a scheduler replica as its own process, for tests that kill -9 it.
// Usage: node --import tsx pkg/scheduler/testing/run-scheduler.ts SERVER_URL IDENTITY
// It prints "leading" / "standby" lines on stdout when its role changes.
import { destination, pino } from 'pino';
import '../../api/index.js';
import { RestClient } from '../../client/rest.js';
import { runWithLeaderElection } from '../leader.js';
import { Scheduler } from '../scheduler.js';

const [server, identity] = process.argv.slice(2);
if (!server || !identity) {
  process.stderr.write('usage: run-scheduler.ts SERVER_URL IDENTITY\n');
  process.exit(2);
}
const logger = pino({ level: process.env.SKIFF_TEST_LOG ?? 'warn' }, destination(2));
const client = new RestClient({ server, userAgent: `skiff-scheduler/${identity}` });
const scheduler = new Scheduler({ client, logger, identity });
const ac = new AbortController();
process.on('SIGTERM', () => ac.abort());
await runWithLeaderElection(
  scheduler,
  {
    client,
    identity,
    leaseDurationMs: Number(process.env.LEASE_MS ?? 3000),
    renewDeadlineMs: Number(process.env.RENEW_MS ?? 2000),
    retryPeriodMs: Number(process.env.RETRY_MS ?? 500),
    logger,
    onLeading: (leading) => process.stdout.write(leading ? 'leading\n' : 'standby\n'),
  },
  ac.signal,
);
client.close();
