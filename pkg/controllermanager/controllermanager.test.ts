import test from 'ava';
import { silentLogger } from '../client/logger.js';
import { FakeApiServer } from '../client/testing/fake_apiserver.js';
import { startControllerManager } from './controllermanager.js';
import { knownControllers, selectControllers } from './registry.js';

test('selectControllers: all by default, names, "*" and "-name"', (t) => {
  const all = Object.keys(knownControllers);
  t.deepEqual(selectControllers(undefined), all);
  t.deepEqual(selectControllers(['deployment', 'replicaset']), ['replicaset', 'deployment']);
  t.deepEqual(selectControllers(['*', '-podgc']), all.filter((n) => n !== 'podgc'));
  t.throws(() => selectControllers(['nope']), { message: /unknown controller "nope"/ });
});

test('the manager takes the Lease, runs, and releases the Lease when stopped', async (t) => {
  const server = new FakeApiServer();
  const url = await server.start();
  t.teardown(() => server.stop());
  const abort = new AbortController();
  const manager = await startControllerManager({
    restConfig: { server: url, maxRetries: 0 },
    logger: silentLogger(),
    signal: abort.signal,
    controllers: ['replicaset'],
    identity: 'skiff-test-a',
    leaseDurationMs: 3000,
    renewDeadlineMs: 2000,
    retryPeriodMs: 200,
  });
  const deadline = Date.now() + 5000;
  while (!manager.isLeader() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.true(manager.isLeader(), 'became leader');
  const lease = server.objects('coordination.k8s.io/v1/leases')[0] as unknown as { metadata: { namespace: string; name: string }; spec: { holderIdentity: string } };
  t.is(`${lease.metadata.namespace}/${lease.metadata.name}`, 'kube-system/skiff-controller-manager');
  t.is(lease.spec.holderIdentity, 'skiff-test-a');
  // The controllers list and watch what they need.
  const watching = () => server.requests.some((r) => r.path === '/apis/apps/v1/replicasets' && r.query.get('watch') === 'true');
  while (!watching() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.true(watching(), 'the ReplicaSet controller watches replicasets');
  abort.abort();
  await manager.done;
  t.false(manager.isLeader());
  const released = server.objects('coordination.k8s.io/v1/leases')[0] as unknown as { spec: { holderIdentity: string } };
  t.is(released.spec.holderIdentity, '');
});
