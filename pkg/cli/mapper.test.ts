import test from 'ava';
import { fromDiscovery, kindPrefix, matchResource, RestMapper } from './mapper.js';

const core = fromDiscovery('', 'v1', [
  { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'], categories: ['all'] },
  { name: 'pods/log', namespaced: true, kind: 'Pod' },
  { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', shortNames: ['svc'], categories: ['all'] },
  { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', shortNames: ['ev'] },
  { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', shortNames: ['no'] },
]);
const apps = fromDiscovery('apps', 'v1', [
  { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', shortNames: ['deploy'], categories: ['all'] },
  { name: 'deployments/scale', namespaced: true, kind: 'Scale' },
]);
const events = fromDiscovery('events.k8s.io', 'v1', [{ name: 'events', singularName: 'event', namespaced: true, kind: 'Event', shortNames: ['ev'] }]);
const all = [...core, ...apps, ...events];

test('matchResource understands every way users name a resource', (t) => {
  const cases = [
    { name: 'plural', arg: 'deployments', want: 'apps/deployments' },
    { name: 'singular', arg: 'deployment', want: 'apps/deployments' },
    { name: 'short', arg: 'deploy', want: 'apps/deployments' },
    { name: 'kind', arg: 'Deployment', want: 'apps/deployments' },
    { name: 'type.group', arg: 'deployments.apps', want: 'apps/deployments' },
    { name: 'type.version.group', arg: 'deploy.v1.apps', want: 'apps/deployments' },
    { name: 'core preferred on ties', arg: 'events', want: '/events' },
    { name: 'group disambiguates', arg: 'events.events.k8s.io', want: 'events.k8s.io/events' },
    { name: 'core short', arg: 'svc', want: '/services' },
  ];
  for (const c of cases) {
    const r = matchResource(all, c.arg);
    t.is(r && `${r.group}/${r.resource}`, c.want, c.name);
  }
  t.is(matchResource(all, 'widgets'), undefined);
});

test('discovery folds subresources into their resource', (t) => {
  t.deepEqual(core[0].subresources, ['log']);
  t.deepEqual(apps[0].subresources, ['scale']);
  t.is(core.length, 4);
});

test('RestMapper expands lists and categories and maps manifests', async (t) => {
  const m = new RestMapper(undefined, all);
  t.deepEqual((await m.resourcesFor('deploy,svc')).map((r) => r.resource), ['deployments', 'services']);
  t.deepEqual((await m.resourcesFor('all')).map((r) => r.resource), ['pods', 'services', 'deployments']);
  t.is((await m.mappingFor('apps/v1', 'Deployment')).resource, 'deployments');
  await t.throwsAsync(m.mappingFor('apps/v2', 'Deployment'), { message: 'no matches for kind "Deployment" in version "apps/v2"' });
  await t.throwsAsync(m.resourceFor('widget'), { message: `the server doesn't have a resource type "widget"` });
  t.is(kindPrefix(apps[0]), 'deployment.apps');
  t.is(kindPrefix(core[0]), 'pod');
});
