import test from 'ava';
import { imagePatch } from './set.js';

const deployment = { spec: { template: { spec: { initContainers: [{ name: 'init', image: 'a:1' }], containers: [{ name: 'web', image: 'w:1' }, { name: 'side', image: 's:1' }] } } } };

test('imagePatch sets named containers through the pod template, keyed by name', (t) => {
  t.deepEqual(imagePatch('Deployment', deployment, new Map([['web', 'w:2']])), { spec: { template: { spec: { containers: [{ name: 'web', image: 'w:2' }] } } } });
  t.deepEqual(imagePatch('Pod', { spec: deployment.spec.template.spec }, new Map([['init', 'a:2']])), { spec: { initContainers: [{ name: 'init', image: 'a:2' }] } });
});

test('imagePatch "*" sets every container; an unknown container is an error', (t) => {
  const all = imagePatch('Deployment', deployment, new Map([['*', 'x:9']])) as { spec: { template: { spec: { containers: unknown[]; initContainers: unknown[] } } } };
  t.is(all.spec.template.spec.containers.length, 2);
  t.is(all.spec.template.spec.initContainers.length, 1);
  t.throws(() => imagePatch('Deployment', deployment, new Map([['nope', 'x:1']])), { message: 'unable to find container named "nope"' });
  t.throws(() => imagePatch('ConfigMap', {}, new Map([['web', 'x:1']])), { message: /no pod template/ });
  t.deepEqual(imagePatch('CronJob', { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c' }] } } } } } }, new Map([['c', 'y:1']])), { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'y:1' }] } } } } } });
});
