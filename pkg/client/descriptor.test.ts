import test from 'ava';
import '../api/index.js'; // registers the served kinds in the scheme
import { kindFor } from '../api/scheme.js';
import { resourcePath, toDescriptor } from './descriptor.js';
import { Resources } from './resources.js';

const cases: { name: string; args: Parameters<typeof resourcePath>; want: string }[] = [
  { name: 'core collection across namespaces', args: [Resources.pods], want: '/api/v1/pods' },
  { name: 'core namespaced object', args: [Resources.pods, 'ns', 'p'], want: '/api/v1/namespaces/ns/pods/p' },
  { name: 'subresource', args: [Resources.pods, 'ns', 'p', 'binding'], want: '/api/v1/namespaces/ns/pods/p/binding' },
  { name: 'grouped resource', args: [Resources.deployments, 'prod', 'web', 'scale'], want: '/apis/apps/v1/namespaces/prod/deployments/web/scale' },
  { name: 'cluster-scoped ignores namespace', args: [Resources.nodes, 'ns', 'n1'], want: '/api/v1/nodes/n1' },
  { name: 'names are escaped', args: [Resources.configmaps, 'a b', 'x/y'], want: '/api/v1/namespaces/a%20b/configmaps/x%2Fy' },
];

for (const c of cases) {
  test(`resourcePath: ${c.name}`, (t) => {
    t.is(resourcePath(...c.args), c.want);
  });
}

test('an empty name is refused rather than silently addressing the collection', (t) => {
  t.throws(() => resourcePath(Resources.pods, 'ns', ''));
});

test('toDescriptor looks apiVersion + kind up in the scheme, and agrees with the built-in table', (t) => {
  for (const d of [Resources.pods, Resources.deployments, Resources.leases, Resources.nodes, Resources.events]) {
    const apiVersion = d.group ? `${d.group}/${d.version}` : d.version;
    const kind = d.kind ?? '';
    t.truthy(kindFor(apiVersion, kind), `${apiVersion} ${kind} is registered`);
    const found = toDescriptor({ apiVersion, kind });
    t.deepEqual({ group: found.group, version: found.version, resource: found.resource, namespaced: found.namespaced }, {
      group: d.group,
      version: d.version,
      resource: d.resource,
      namespaced: d.namespaced,
    });
  }
  t.throws(() => toDescriptor({ apiVersion: 'example.com/v1', kind: 'Nope' }), { message: /no resource registered/ });
});
