import test from 'ava';
import type { Node } from '../api/core/node.js';
import { startFakeEnv } from '../controllers/testing/env.js';
import { allocateNodeCidr, NodeIpamController } from './node-ipam.js';

function newNode(name: string, podCIDR?: string): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} };
}

const cases = [
  { name: 'first block when nothing is used', used: [], want: '10.42.0.0/24' },
  { name: 'skips used blocks', used: ['10.42.0.0/24', '10.42.1.0/24'], want: '10.42.2.0/24' },
  { name: 'fills a hole', used: ['10.42.0.0/24', '10.42.2.0/24'], want: '10.42.1.0/24' },
  { name: 'a larger foreign block takes all it overlaps', used: ['10.42.0.0/23'], want: '10.42.2.0/24' },
  { name: 'malformed CIDRs are ignored', used: ['nonsense'], want: '10.42.0.0/24' },
];
for (const c of cases) {
  test(`allocateNodeCidr: ${c.name}`, (t) => {
    t.is(allocateNodeCidr('10.42.0.0/16', 24, c.used), c.want);
  });
}

test('allocateNodeCidr: undefined when the cluster range is full', (t) => {
  t.is(allocateNodeCidr('10.42.0.0/23', 24, ['10.42.0.0/24', '10.42.1.0/24']), undefined);
});

test('NodeIpamController gives each node a distinct CIDR and keeps existing ones', async (t) => {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  env.server.seed('/v1/nodes', newNode('a', '10.42.0.0/24'));
  env.server.seed('/v1/nodes', newNode('b'));
  env.server.seed('/v1/nodes', newNode('c'));
  const c = new NodeIpamController(env.ctx);
  await env.start();
  // Both syncs run before the cache sees the first write: in-flight CIDRs keep them apart.
  await c.sync('b');
  await c.sync('c');
  await c.sync('a');
  await c.sync('gone');
  const nodes = new Map((env.server.objects('/v1/nodes') as Node[]).map((n) => [n.metadata.name, n.spec?.podCIDR]));
  t.deepEqual(Object.fromEntries(nodes), { a: '10.42.0.0/24', b: '10.42.1.0/24', c: '10.42.2.0/24' });
  t.deepEqual((env.server.objects('/v1/nodes') as Node[]).find((n) => n.metadata.name === 'b')?.spec?.podCIDRs, ['10.42.1.0/24']);
});
