// Node-pressure eviction with a real API server, etcd, agent, crun and containers; only the
// pressure signal is simulated (a test cannot exhaust the shared machine's memory): under
// memory pressure the BestEffort pod is evicted first (its containers stopped, Failed/Evicted),
// one pod per monitoring pass, and nothing more once the pressure is gone.
import test from 'ava';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import type { Pressure } from '../../pkg/agent/machine.js';
import { Resources } from '../../pkg/client/resources.js';
import { useTestApiServer } from '../lib/apiserver.js';
import { startTestNode } from '../lib/cluster-node.js';
import { exitAfterFile } from '../lib/exit-guard.js';
import { waitFor } from '../lib/wait.js';

exitAfterFile(test);

const fixture = useTestApiServer(test);

test.serial('memory pressure evicts the BestEffort pod first and reports it Failed/Evicted', async (t) => {
  const Mi = 1024 * 1024;
  let pressure: Pressure = { memoryAvailableBytes: 4096 * Mi, diskAvailableBytes: 50, diskCapacityBytes: 100, pids: 100, pidMax: 100_000 };
  const node = await startTestNode(fixture.srv.url, undefined, { pressure: async () => pressure, evictionMonitoringMs: 2000 });
  t.teardown(() => node.cleanup());
  const pods = fixture.client.resource<Pod>(Resources.pods).namespace('default');
  const spec = (resources?: object) => ({ nodeName: node.layout.nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'skiff.local/busybox:latest', imagePullPolicy: 'Never' as const, command: ['sleep', '3600'], resources }] });
  await pods.create({ metadata: { name: 'best-effort' }, spec: spec() } as Pod);
  await pods.create({ metadata: { name: 'guaranteed' }, spec: spec({ requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '100m', memory: '32Mi' } }) } as Pod);
  for (const name of ['best-effort', 'guaranteed']) await waitFor(`${name} running`, async () => (await pods.get(name)).status?.phase === 'Running', 60_000, 250);

  pressure = { ...pressure, memoryAvailableBytes: 50 * Mi };
  const evicted = await waitFor('best-effort evicted', async () => {
    const p = await pods.get('best-effort');
    return p.status?.phase === 'Failed' ? p : undefined;
  }, 60_000, 250);
  t.is(evicted.status?.reason, 'Evicted');
  t.regex(evicted.status?.message ?? '', /The node was low on resource: memory/);
  t.truthy(evicted.status?.containerStatuses?.[0]?.state?.terminated, 'its container was stopped');
  // One pod per monitoring pass: the Guaranteed pod is still running; pressure relieved now.
  t.is((await pods.get('guaranteed')).status?.phase, 'Running');
  pressure = { ...pressure, memoryAvailableBytes: 4096 * Mi };
  await new Promise((r) => setTimeout(r, 4000));
  t.is((await pods.get('guaranteed')).status?.phase, 'Running', 'nothing more is evicted once pressure is gone');
  t.is((await pods.get('best-effort')).status?.phase, 'Failed', 'the evicted pod stays Failed');
  await pods.delete('best-effort', { gracePeriodSeconds: 0 });
  await pods.delete('guaranteed', { gracePeriodSeconds: 0 });
});
