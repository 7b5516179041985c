import test from 'ava';
import type { PriorityClass } from '../api/scheduling.js';
import { PriorityResolver } from './priority.js';
import { newPod } from './testing/builders.js';

const pc = (name: string, value: number, extra: Partial<PriorityClass> = {}): PriorityClass => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra });

const cases: { name: string; classes: PriorityClass[]; pod: Parameters<typeof newPod>[1]; want: number }[] = [
  { name: 'nothing: 0', classes: [], pod: {}, want: 0 },
  { name: 'spec.priority wins', classes: [pc('high', 1000)], pod: { priority: 7, priorityClassName: 'high' }, want: 7 },
  { name: 'class value', classes: [pc('high', 1000)], pod: { priorityClassName: 'high' }, want: 1000 },
  { name: 'unknown class: 0', classes: [], pod: { priorityClassName: 'nope' }, want: 0 },
  { name: 'system class', classes: [], pod: { priorityClassName: 'system-node-critical' }, want: 2_000_001_000 },
  { name: 'global default applies without a class name', classes: [pc('default', 50, { globalDefault: true }), pc('high', 1000)], pod: {}, want: 50 },
];

for (const c of cases) {
  test(`PriorityResolver: ${c.name}`, (t) => {
    const r = new PriorityResolver();
    for (const x of c.classes) r.set(x);
    t.is(r.priorityOf(newPod('p', c.pod)), c.want);
  });
}

test('PriorityResolver: preemption policy from the class', (t) => {
  const r = new PriorityResolver();
  r.set(pc('polite', 10, { preemptionPolicy: 'Never' }));
  t.is(r.preemptionPolicyOf(newPod('p', { priorityClassName: 'polite' })), 'Never');
  t.is(r.preemptionPolicyOf(newPod('p')), 'PreemptLowerPriority');
  r.delete('polite');
  t.is(r.preemptionPolicyOf(newPod('p', { priorityClassName: 'polite' })), 'PreemptLowerPriority');
});
