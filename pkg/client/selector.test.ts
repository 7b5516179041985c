import test from 'ava';
import { parseSelector } from '../api/labels.js';
import { fieldMatcher, selectorMatcher } from './selector.js';

const cases: { name: string; selector: Parameters<typeof selectorMatcher>[0]; labels?: Record<string, string>; want: boolean }[] = [
  { name: 'no selector selects all', selector: undefined, labels: undefined, want: true },
  { name: 'string form', selector: 'app=web,tier!=db', labels: { app: 'web' }, want: true },
  { name: 'string set form', selector: 'env in (a,b)', labels: { env: 'c' }, want: false },
  { name: 'parsed Selector', selector: parseSelector('app'), labels: { app: '' }, want: true },
  { name: 'plain map', selector: { app: 'web', tier: 'fe' }, labels: { app: 'web', tier: 'fe', x: 'y' }, want: true },
  { name: 'plain map mismatch', selector: { app: 'web' }, labels: { app: 'db' }, want: false },
  { name: 'LabelSelector', selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, labels: { app: 'web', env: 'dev' }, want: false },
  { name: 'empty LabelSelector selects all', selector: {}, labels: { a: 'b' }, want: true },
  { name: 'predicate', selector: (l) => l?.x === '1', labels: { x: '1' }, want: true },
];

for (const c of cases) {
  test(`label selector: ${c.name}`, (t) => {
    t.is(selectorMatcher(c.selector)(c.labels), c.want);
  });
}

test('field selectors compare dotted paths, missing fields are empty', (t) => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' } };
  t.true(fieldMatcher('metadata.name=p,spec.nodeName=n1')(pod));
  t.false(fieldMatcher('spec.nodeName!=n1')(pod));
  t.true(fieldMatcher('spec.schedulerName=')(pod));
  t.true(fieldMatcher(undefined)(pod));
});
