import test from 'ava';
import { JsonPath } from './jsonpath.js';
import { UserError } from '../io.js';

const list = {
  kind: 'List',
  items: [
    { metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'web' } }, spec: { replicas: 2, containers: [{ name: 'c1', image: 'i1' }, { name: 'c2', image: 'i2' }] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    { metadata: { name: 'b' }, spec: { replicas: 5, containers: [{ name: 'c3', image: 'i3' }] }, status: { conditions: [{ type: 'Ready', status: 'False' }] } },
  ],
};

test('jsonpath templates render like kubectl', (t) => {
  const cases = [
    { name: 'simple path', tpl: '{.kind}', want: 'List' },
    { name: 'wildcard list', tpl: '{.items[*].metadata.name}', want: 'a b' },
    { name: 'index', tpl: '{.items[1].metadata.name}', want: 'b' },
    { name: 'negative index', tpl: '{.items[-1].metadata.name}', want: 'b' },
    { name: 'nested wildcard', tpl: '{.items[*].spec.containers[*].image}', want: 'i1 i2 i3' },
    { name: 'range with literal', tpl: '{range .items[*]}{.metadata.name}={.spec.replicas}{"\\n"}{end}', want: 'a=2\nb=5\n' },
    { name: 'text around', tpl: 'names: {.items[0].metadata.name}!', want: 'names: a!' },
    { name: 'filter', tpl: '{.items[?(@.spec.replicas>3)].metadata.name}', want: 'b' },
    { name: 'filter on string', tpl: `{.items[*].status.conditions[?(@.type=="Ready")].status}`, want: 'True False' },
    { name: 'escaped dots', tpl: '{.items[0].metadata.labels.app\\.kubernetes\\.io/name}', want: 'web' },
    { name: 'bracket key', tpl: `{.items[0].metadata.labels['app.kubernetes.io/name']}`, want: 'web' },
    { name: 'missing key prints nothing', tpl: '{.items[0].status.podIP}', want: '' },
    { name: 'objects print as JSON', tpl: '{.items[0].metadata.labels}', want: '{"app.kubernetes.io/name":"web"}' },
    { name: 'recursive descent', tpl: '{..image}', want: 'i1 i2 i3' },
    { name: 'slice', tpl: '{.items[0:1].metadata.name}', want: 'a' },
    { name: 'nested range', tpl: '{range .items[*]}{range .spec.containers[*]}{.name},{end};{end}', want: 'c1,c2,;c3,;' },
  ];
  for (const c of cases) t.is(new JsonPath(c.tpl).execute(list), c.want, c.name);
});

test('jsonpath syntax errors are user errors', (t) => {
  t.throws(() => new JsonPath('{.items[*]'), { instanceOf: UserError });
  t.throws(() => new JsonPath('{end}'), { instanceOf: UserError });
  t.throws(() => new JsonPath('{range .items[*]}{.x}'), { instanceOf: UserError });
});
