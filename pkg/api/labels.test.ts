import test from 'ava';
import { FieldPath } from './field.js';
import { labelsMatch, labelSelectorString, parseSelector, SelectorParseError, selectorFromLabelSelector, selectorFromMap, validateLabelSelector } from './labels.js';

const labels = { app: 'web', tier: 'front', version: '3' };

const matchCases: { name: string; selector: string; want: boolean }[] = [
  { name: 'empty selects everything', selector: '', want: true },
  { name: 'equals', selector: 'app=web', want: true },
  { name: 'double equals', selector: 'app==web', want: true },
  { name: 'equals mismatch', selector: 'app=db', want: false },
  { name: 'not equals', selector: 'app!=db', want: true },
  { name: 'not equals on missing key', selector: 'missing!=x', want: true },
  { name: 'in', selector: 'tier in (front, back)', want: true },
  { name: 'in mismatch', selector: 'tier in (back)', want: false },
  { name: 'notin', selector: 'tier notin (back)', want: true },
  { name: 'notin on missing key', selector: 'env notin (prod)', want: true },
  { name: 'exists', selector: 'app', want: true },
  { name: 'exists missing', selector: 'env', want: false },
  { name: 'does not exist', selector: '!env', want: true },
  { name: 'does not exist but present', selector: '!app', want: false },
  { name: 'greater than', selector: 'version>2', want: true },
  { name: 'less than', selector: 'version<2', want: false },
  { name: 'all together', selector: 'app=web,tier!=back,tier in (front,x),env notin (prod),version,!env', want: true },
  { name: 'one of many fails', selector: 'app=web,tier=back', want: false },
  { name: 'prefixed key', selector: 'example.com/owner', want: false },
  { name: 'spaces', selector: ' app = web , tier in ( front ) ', want: true },
  { name: 'empty value', selector: 'env=', want: false },
];
for (const c of matchCases) {
  test(`selector matches: ${c.name}`, (t) => {
    t.is(parseSelector(c.selector).matches(labels), c.want);
  });
}

for (const bad of ['app=web,', 'app in', 'app in (a', 'in (a)', 'app = = b', 'app=web tier=x', '!', 'Bad Key=x', 'a=-x-', 'a in ()', 'a>x', '=x']) {
  test(`selector rejects ${JSON.stringify(bad)}`, (t) => {
    t.throws(() => parseSelector(bad), { instanceOf: SelectorParseError });
  });
}

test('selector prints sorted, canonical string syntax', (t) => {
  t.is(parseSelector('b in (y,x),a=1,!c,d').toString(), 'a=1,b in (x,y),!c,d');
});

const objectCases: { name: string; selector: Parameters<typeof labelsMatch>[0]; want: boolean }[] = [
  { name: 'missing selects nothing', selector: undefined, want: false },
  { name: 'empty object selects everything', selector: {}, want: true },
  { name: 'matchLabels', selector: { matchLabels: { app: 'web' } }, want: true },
  { name: 'matchLabels mismatch', selector: { matchLabels: { app: 'web', tier: 'back' } }, want: false },
  { name: 'In', selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }, want: true },
  { name: 'NotIn', selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, want: false },
  { name: 'Exists', selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, want: true },
  { name: 'DoesNotExist', selector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, want: false },
];
for (const c of objectCases) {
  test(`LabelSelector matches: ${c.name}`, (t) => {
    t.is(labelsMatch(c.selector, labels), c.want);
  });
}

test('LabelSelector prints as a string selector that parses back', (t) => {
  const s = labelSelectorString({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['b', 'a'] }] });
  t.is(s, 'app=web,tier notin (a,b)');
  t.deepEqual(parseSelector(s).requirements, selectorFromLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a', 'b'] }] }).requirements);
});

test('selectorFromMap: an empty map selects everything', (t) => {
  t.true(selectorFromMap({}).empty());
  t.true(selectorFromMap({ app: 'web' }).matches(labels));
  t.false(selectorFromMap({ app: 'db' }).matches(labels));
});

const validationCases: { name: string; selector: any; fields: string[] }[] = [
  { name: 'valid', selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] }, fields: [] },
  { name: 'In without values', selector: { matchExpressions: [{ key: 'a', operator: 'In' }] }, fields: ['spec.selector.matchExpressions[0].values'] },
  { name: 'Exists with values', selector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, fields: ['spec.selector.matchExpressions[0].values'] },
  { name: 'bad operator', selector: { matchExpressions: [{ key: 'a', operator: 'Is', values: ['x'] }] }, fields: ['spec.selector.matchExpressions[0].operator'] },
  { name: 'bad key', selector: { matchExpressions: [{ key: '-a', operator: 'Exists' }] }, fields: ['spec.selector.matchExpressions[0].key'] },
  { name: 'bad label value', selector: { matchLabels: { app: 'a b' } }, fields: ['spec.selector.matchLabels'] },
];
for (const c of validationCases) {
  test(`validateLabelSelector: ${c.name}`, (t) => {
    t.deepEqual(validateLabelSelector(c.selector, new FieldPath('spec.selector')).map((e) => e.field), c.fields);
  });
}
