import test from 'ava';
import { serviceEnvVars } from './service-env.js';
import { newService } from './testing/builders.js';

test('serviceEnvVars: host, ports and docker-link variables for Services of the namespace', (t) => {
  const svcs = [
    newService('my-svc', { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'metrics', port: 9100, protocol: 'TCP' }] }),
    newService('headless', { clusterIP: 'None' }),
    newService('elsewhere', { clusterIP: '10.43.0.30' }, 'other'),
    newService('kubernetes', { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }, 'default'),
  ];
  const env = Object.fromEntries(serviceEnvVars(svcs, 'shop').map((e) => [e.name, e.value]));
  t.is(env.KUBERNETES_SERVICE_HOST, '10.43.0.1');
  t.is(env.KUBERNETES_SERVICE_PORT, '443');
  t.false('MY_SVC_SERVICE_HOST' in env); // my-svc lives in "default", not "shop"
  const own = Object.fromEntries(serviceEnvVars(svcs, 'default').map((e) => [e.name, e.value]));
  t.like(own, {
    MY_SVC_SERVICE_HOST: '10.43.0.20',
    MY_SVC_SERVICE_PORT: '80',
    MY_SVC_SERVICE_PORT_METRICS: '9100',
    MY_SVC_PORT: 'tcp://10.43.0.20:80',
    MY_SVC_PORT_9100_TCP_ADDR: '10.43.0.20',
    MY_SVC_PORT_80_TCP_PROTO: 'tcp',
  });
  t.false(Object.keys(own).some((k) => k.startsWith('HEADLESS') || k.startsWith('ELSEWHERE')));
});

test('serviceEnvVars: services created after the pod, and enableServiceLinks=false', (t) => {
  const older = { ...newService('old', { clusterIP: '10.43.0.2' }), metadata: { name: 'old', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' } };
  const newer = { ...newService('new', { clusterIP: '10.43.0.3' }), metadata: { name: 'new', namespace: 'default', creationTimestamp: '2024-06-01T00:00:00Z' } };
  const names = serviceEnvVars([older, newer], 'default', { createdBefore: '2024-03-01T00:00:00Z' }).map((e) => e.name);
  t.true(names.includes('OLD_SERVICE_HOST'));
  t.false(names.includes('NEW_SERVICE_HOST'));
  t.deepEqual(serviceEnvVars([older], 'default', { enableServiceLinks: false }), []);
});
