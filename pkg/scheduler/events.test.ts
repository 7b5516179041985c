import test from 'ava';
import { nodeSchedulingChanged } from './events.js';
import { newNode } from './testing/builders.js';

const cases: { name: string; change: (n: ReturnType<typeof newNode>) => void; want: boolean }[] = [
  { name: 'heartbeat only', change: (n) => (n.metadata.resourceVersion = '9'), want: false },
  { name: 'allocatable', change: (n) => (n.status!.allocatable!.cpu = '8'), want: true },
  { name: 'labels', change: (n) => (n.metadata.labels!.zone = 'b'), want: true },
  { name: 'taints', change: (n) => (n.spec!.taints = [{ key: 'k', effect: 'NoSchedule' }]), want: true },
  { name: 'cordon', change: (n) => (n.spec!.unschedulable = true), want: true },
  { name: 'readiness', change: (n) => (n.status!.conditions = [{ type: 'Ready', status: 'False' }]), want: true },
];

for (const c of cases) {
  test(`nodeSchedulingChanged: ${c.name}`, (t) => {
    const old = newNode('n');
    const next = structuredClone(old);
    c.change(next);
    t.is(nodeSchedulingChanged(old, next), c.want);
  });
}
