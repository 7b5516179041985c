import test from 'ava';
import { fieldMatcher, formatLabelSelector, parseLabelSelector, selectorMatcher } from './selector.js';

const cases: { name: string; selector: Parameters<typeof selectorMatcher>[0]; labels?: Record<string, string>; want: boolean }[] = [
  { name: 'equality matches', selector: 'app=web', labels: { app: 'web' }, want: true },
  { name: 'double equals', selector: 'app==web', labels: { app: 'db' }, want: false },
  { name: 'inequality with missing key matches', selector: 'tier!=db', labels: {}, want: true },
  { name: 'set in', selector: 'env in (a, b)', labels: { env: 'b' }, want: true },
  { name: 'set notin', selector: 'env notin (a,b),app', labels: { env: 'c', app: 'x' }, want: true },
  { name: 'exists fails without key', selector: 'app', labels: undefined, want: false },
  { name: 'does not exist', selector: '!canary', labels: { canary: '1' }, want: false },
  { name: 'empty string selects all', selector: '', labels: undefined, want: true },
  { name: 'matchLabels map', selector: { app: 'web', tier: 'fe' }, labels: { app: 'web', tier: 'fe', x: 'y' }, want: true },
  { name: 'structured selector', selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, labels: { app: 'web', env: 'dev' }, want: false },
  { name: 'empty structured selector selects all', selector: {}, labels: { a: 'b' }, want: true },
];

for (const c of cases) {
  test(`label selector: ${c.name}`, (t) => {
    t.is(selectorMatcher(c.selector)(c.labels), c.want);
  });
}

test('malformed selectors throw', (t) => {
  t.throws(() => parseLabelSelector('a in b'));
  t.throws(() => parseLabelSelector('=x'));
});

test('formatLabelSelector round-trips through the parser', (t) => {
  const text = formatLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['a', 'b'] }, { key: 'x', operator: 'Exists' }] });
  t.is(text, 'app=web,env notin (a,b),x');
  t.true(selectorMatcher(text)({ app: 'web', env: 'c', x: '' }));
});

test('field selectors compare dotted paths, missing fields are empty', (t) => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' } };
  t.true(fieldMatcher('metadata.name=p,spec.nodeName=n1')(pod));
  t.false(fieldMatcher('spec.nodeName!=n1')(pod));
  t.true(fieldMatcher('spec.schedulerName=')(pod));
  t.true(fieldMatcher(undefined)(pod));
});
