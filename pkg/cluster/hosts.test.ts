import test from 'ava';
import { planHosts } from './hosts.js';

test('planHosts names namespaces and links under the cluster name and numbers nodes from .10', (t) => {
  const p = planHosts('skiff', ['node-1', 'node-2'], '10.44.0.0/24', ['10.42.0.0/16']);
  t.is(p.labNetns, 'skiff-lab');
  t.is(p.hostLink, 'skiff-h');
  t.is(p.hostAddress, '10.44.0.1');
  t.is(p.prefixLength, 24);
  t.deepEqual(
    p.nodes.map((n) => [n.nodeName, n.netns, n.address, n.labLink]),
    [
      ['node-1', 'skiff-node-1', '10.44.0.10', 'skiff-v0'],
      ['node-2', 'skiff-node-2', '10.44.0.11', 'skiff-v1'],
    ],
  );
  for (const n of p.nodes) t.true(n.labLink.length <= 15);
});

test('planHosts rejects names that would overflow link names and subnets too small', (t) => {
  t.throws(() => planHosts('a-much-too-long-name', ['n'], '10.44.0.0/24', []), { message: /1-12/ });
  t.throws(() => planHosts('Bad', ['n'], '10.44.0.0/24', []), { message: /lowercase/ });
  t.throws(() => planHosts('ok', ['n'], '10.44.0.0/28', []), { message: /too small/ });
});
