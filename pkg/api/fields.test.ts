import test from 'ava';
import { FieldSelectorParseError, matchesFields, parseFieldSelector } from './fields.js';

const fields = { 'metadata.name': 'web-1', 'spec.nodeName': 'node-a', 'status.phase': 'Running', 'odd': 'a,b=c' };

const cases: { name: string; selector: string; want: boolean }[] = [
  { name: 'empty', selector: '', want: true },
  { name: 'equals', selector: 'spec.nodeName=node-a', want: true },
  { name: 'double equals', selector: 'spec.nodeName==node-a', want: true },
  { name: 'not equals', selector: 'status.phase!=Running', want: false },
  { name: 'unscheduled pods', selector: 'spec.nodeName=', want: false },
  { name: 'missing field reads as empty', selector: 'spec.missing=', want: true },
  { name: 'several', selector: 'metadata.name=web-1,status.phase!=Failed', want: true },
  { name: 'escaped value', selector: 'odd=a\\,b\\=c', want: true },
];
for (const c of cases) {
  test(`field selector: ${c.name}`, (t) => {
    t.is(matchesFields(c.selector, fields), c.want);
  });
}

for (const bad of ['spec.nodeName', 'a=b,c', '=x', 'a=b=c', 'a=\\x']) {
  test(`field selector rejects ${JSON.stringify(bad)}`, (t) => {
    t.throws(() => parseFieldSelector(bad), { instanceOf: FieldSelectorParseError });
  });
}

test('field selector exposes exact matches for indexing and prints back', (t) => {
  const s = parseFieldSelector('spec.nodeName=node-a,status.phase!=Failed');
  t.is(s.requiresExactMatch('spec.nodeName'), 'node-a');
  t.is(s.requiresExactMatch('status.phase'), undefined);
  t.deepEqual(s.fields(), ['spec.nodeName', 'status.phase']);
  t.is(s.toString(), 'spec.nodeName=node-a,status.phase!=Failed');
});
