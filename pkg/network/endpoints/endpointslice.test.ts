import test from 'ava';
import type { Endpoints } from '../../api/core/endpoints.js';
import type { EndpointSlice } from '../../api/discovery.js';
import { startFakeEnv } from '../../controllers/testing/env.js';
import { newPod, newService } from '../testing/builders.js';
import { EndpointsController } from './endpoints.js';
import { CONTROLLER_NAME, EndpointSliceController } from './endpointslice.js';
import { podEndpoints, resolveTargetPort } from './pods.js';

const web = () => newService('web', { clusterIP: '10.43.0.10', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });

test('resolveTargetPort: numbers, numeric strings and names', (t) => {
  const pod = newPod('p', { ports: [{ name: 'http', containerPort: 8080 }] });
  t.is(resolveTargetPort(pod, { port: 80, targetPort: 9090 }), 9090);
  t.is(resolveTargetPort(pod, { port: 80, targetPort: '9091' }), 9091);
  t.is(resolveTargetPort(pod, { port: 80, targetPort: 'http' }), 8080);
  t.is(resolveTargetPort(pod, { port: 80, targetPort: 'nope' }), undefined);
  t.is(resolveTargetPort(pod, { port: 80 }), 80);
});

test('podEndpoints: matching pods with IPs; ready, not ready, terminating; finished pods left out', (t) => {
  const pods = [
    newPod('ready', { ip: '10.42.0.2' }),
    newPod('unready', { ip: '10.42.0.3', ready: false }),
    newPod('leaving', { ip: '10.42.0.4', terminating: true }),
    newPod('no-ip'),
    newPod('other', { ip: '10.42.0.5', labels: { app: 'other' } }),
    { ...newPod('done', { ip: '10.42.0.6' }), status: { phase: 'Succeeded', podIP: '10.42.0.6' } },
  ];
  const eps = podEndpoints(web(), pods as never);
  t.deepEqual(
    eps.map((e) => [e.pod.metadata.name, e.ready, e.serving, e.terminating]),
    [
      ['ready', true, true, false],
      ['unready', false, false, false],
      ['leaving', false, true, true],
    ],
  );
  t.deepEqual(eps[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
});

test('EndpointSliceController and EndpointsController follow pods; named ports split slices', async (t) => {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  env.server.seed('/v1/services', web());
  env.server.seed('/v1/pods', newPod('a', { ip: '10.42.0.2' }));
  env.server.seed('/v1/pods', newPod('b', { ip: '10.42.0.3', ready: false }));
  // c names its port "http" on 9090: it goes in a slice of its own.
  env.server.seed('/v1/pods', newPod('c', { ip: '10.42.1.2', ports: [{ name: 'http', containerPort: 9090 }] }));
  env.server.seed('/v1/pods', newPod('d', { ip: '10.42.1.3', ports: [{ name: 'metrics', containerPort: 9100 }] }));
  const slices = new EndpointSliceController(env.ctx);
  const endpoints = new EndpointsController(env.ctx);
  await env.start();
  await slices.sync('default/web');
  await endpoints.sync('default/web');
  const got = () => (env.server.objects('discovery.k8s.io/v1/endpointslices') as EndpointSlice[]).sort((x, y) => (x.ports?.[0]?.port ?? 0) - (y.ports?.[0]?.port ?? 0));
  const s = got();
  t.is(s.length, 2);
  t.deepEqual(s.map((x) => x.ports), [[{ name: 'http', port: 8080, protocol: 'TCP' }], [{ name: 'http', port: 9090, protocol: 'TCP' }]]);
  t.deepEqual(s[0].endpoints.map((e) => [e.addresses[0], e.conditions?.ready, e.targetRef?.name]), [
    ['10.42.0.2', true, 'a'],
    ['10.42.0.3', false, 'b'],
  ]);
  t.is(s[0].metadata.labels?.['kubernetes.io/service-name'], 'web');
  t.is(s[0].metadata.labels?.['endpointslice.kubernetes.io/managed-by'], CONTROLLER_NAME);
  t.is(s[0].metadata.ownerReferences?.[0].kind, 'Service');
  const ep = env.server.objects('/v1/endpoints')[0] as Endpoints;
  t.deepEqual(ep.subsets?.map((x) => [x.ports?.[0].port, x.addresses?.map((a) => a.ip), x.notReadyAddresses?.map((a) => a.ip)]), [
    [8080, ['10.42.0.2'], ['10.42.0.3']],
    [9090, ['10.42.1.2'], undefined],
  ]);

  // A sync before the cache saw the writes must not duplicate slices.
  await slices.sync('default/web');
  t.is(got().length, 2);

  // Pod c goes away and b becomes ready: one slice left, updated in place.
  await env.settle();
  env.server.remove('/v1/pods', 'default', 'c');
  const b = structuredClone(env.server.objects('/v1/pods').find((p) => p.metadata.name === 'b')!) as ReturnType<typeof newPod>;
  b.status!.conditions = [{ type: 'Ready', status: 'True' }];
  env.server.seed('/v1/pods', b);
  await env.settle();
  await slices.sync('default/web');
  await env.settle();
  await slices.sync('default/web');
  await endpoints.sync('default/web');
  t.deepEqual(got().map((x) => x.endpoints.map((e) => `${e.addresses[0]}:${e.conditions?.ready}`)), [['10.42.0.2:true', '10.42.0.3:true']]);
  t.deepEqual((env.server.objects('/v1/endpoints')[0] as Endpoints).subsets?.map((x) => x.addresses?.length), [2]);
});
