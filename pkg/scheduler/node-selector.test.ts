import test from 'ava';
import type { NodeSelectorRequirement } from '../api/core/pod-types.js';
import { matchNodeSelector, matchNodeSelectorTerm, matchPlainNodeSelector } from './node-selector.js';
import { newNode } from './testing/builders.js';

const node = newNode('n1', { labels: { zone: 'a', disk: 'ssd', gen: '5' } });

const reqCases: { name: string; req: NodeSelectorRequirement; want: boolean }[] = [
  { name: 'In matches', req: { key: 'zone', operator: 'In', values: ['a', 'b'] }, want: true },
  { name: 'In misses', req: { key: 'zone', operator: 'In', values: ['b'] }, want: false },
  { name: 'In on a missing key', req: { key: 'rack', operator: 'In', values: ['a'] }, want: false },
  { name: 'NotIn on a missing key', req: { key: 'rack', operator: 'NotIn', values: ['a'] }, want: true },
  { name: 'NotIn excludes', req: { key: 'zone', operator: 'NotIn', values: ['a'] }, want: false },
  { name: 'Exists', req: { key: 'disk', operator: 'Exists' }, want: true },
  { name: 'DoesNotExist', req: { key: 'disk', operator: 'DoesNotExist' }, want: false },
  { name: 'Gt', req: { key: 'gen', operator: 'Gt', values: ['4'] }, want: true },
  { name: 'Gt equal is false', req: { key: 'gen', operator: 'Gt', values: ['5'] }, want: false },
  { name: 'Lt', req: { key: 'gen', operator: 'Lt', values: ['6'] }, want: true },
  { name: 'Gt on a non-integer label', req: { key: 'zone', operator: 'Gt', values: ['1'] }, want: false },
];

for (const c of reqCases) {
  test(`matchNodeSelectorTerm: ${c.name}`, (t) => {
    t.is(matchNodeSelectorTerm({ matchExpressions: [c.req] }, node), c.want);
  });
}

test('matchNodeSelectorTerm: an empty term matches nothing', (t) => {
  t.false(matchNodeSelectorTerm({}, node));
});

test('matchNodeSelectorTerm: matchFields on metadata.name', (t) => {
  t.true(matchNodeSelectorTerm({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }, node));
  t.false(matchNodeSelectorTerm({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }, node));
});

test('matchNodeSelector: terms are ORed', (t) => {
  const sel = {
    nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['z'] }] }, { matchExpressions: [{ key: 'disk', operator: 'Exists' as const }] }],
  };
  t.true(matchNodeSelector(sel, node));
  t.false(matchNodeSelector({ nodeSelectorTerms: [] }, node));
});

test('matchPlainNodeSelector needs every pair', (t) => {
  t.true(matchPlainNodeSelector({ zone: 'a', disk: 'ssd' }, node));
  t.false(matchPlainNodeSelector({ zone: 'a', disk: 'hdd' }, node));
  t.true(matchPlainNodeSelector({}, node));
});
