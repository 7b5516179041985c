import test from 'ava';
import { newService, newSlice } from '../testing/builders.js';
import { buildRules, endpointChain, restoreText, serviceChain, servicePorts } from './rules.js';

test('servicePorts joins ports with ready endpoints of the matching slice port', (t) => {
  const svc = newService('web', { clusterIP: '10.43.0.10', ports: [
    { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' },
    { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
  ] });
  const slice = newSlice('web', [{ ip: '10.42.0.3' }, { ip: '10.42.0.2' }, { ip: '10.42.0.4', ready: false }], [
    { name: 'http', port: 8080, protocol: 'TCP' },
    { name: 'dns', port: 5353, protocol: 'UDP' },
  ]);
  const ports = servicePorts([svc, newService('headless', { clusterIP: 'None' })], [slice]);
  t.deepEqual(ports.map((p) => [p.name, p.protocol, p.endpoints.map((e) => `${e.ip}:${e.port}`)]), [
    ['default/web:dns', 'udp', ['10.42.0.2:5353', '10.42.0.3:5353']],
    ['default/web:http', 'tcp', ['10.42.0.2:8080', '10.42.0.3:8080']],
  ]);
});

test('buildRules spreads with 1/n, 1/(n-1) … and marks hairpin for masquerade', (t) => {
  const ports = servicePorts([newService('web', { clusterIP: '10.43.0.10' })], [newSlice('web', [{ ip: '10.42.0.2' }, { ip: '10.42.0.3' }, { ip: '10.42.0.4' }])]);
  const rules = buildRules(ports);
  const svc = rules.nat.get(serviceChain(ports[0]))!;
  t.is(svc.length, 3);
  t.regex(svc[0], /--probability 0\.3333333333/);
  t.regex(svc[1], /--probability 0\.5000000000/);
  t.notRegex(svc[2], /statistic/);
  const sep = rules.nat.get(endpointChain(ports[0], ports[0].endpoints[0]))!;
  t.regex(sep[0], /-s 10\.42\.0\.2\/32 .* -j SKIFF-MARK-MASQ/);
  t.regex(sep[1], /-j DNAT --to-destination 10\.42\.0\.2:8080/);
  t.true(rules.nat.get('SKIFF-SERVICES')!.some((r) => r.includes('-d 10.43.0.10/32 -p tcp -m tcp --dport 80')));
});

test('buildRules: NodePort, ClientIP affinity, and REJECT without endpoints', (t) => {
  const svc = newService('web', { clusterIP: '10.43.0.10', type: 'NodePort', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] });
  const ports = servicePorts([svc, newService('empty', { clusterIP: '10.43.0.11' })], [newSlice('web', [{ ip: '10.42.0.2' }])]);
  const rules = buildRules(ports);
  const web = ports.find((p) => p.name === 'default/web:http')!;
  t.true(rules.nat.get('SKIFF-NODEPORTS')!.some((r) => r.includes('--dport 30080') && r.endsWith(serviceChain(web))));
  const svcRules = rules.nat.get(serviceChain(web))!;
  t.regex(svcRules[0], /-m recent --name SKIFF-SEP-\w+ --rcheck --seconds 60 --reap/);
  t.regex(rules.nat.get(endpointChain(web, web.endpoints[0]))![1], /-m recent --name SKIFF-SEP-\w+ --set -j DNAT/);
  t.deepEqual(rules.filter.get('SKIFF-SERVICES')!.length, 1);
  t.regex(rules.filter.get('SKIFF-SERVICES')![0], /-d 10\.43\.0\.11\/32 .* -j REJECT/);
});

test('restoreText rewrites only changed chains and deletes vanished ones', (t) => {
  const svcs = [newService('a', { clusterIP: '10.43.0.10' }), newService('b', { clusterIP: '10.43.0.11' })];
  const before = buildRules(servicePorts(svcs, [newSlice('a', [{ ip: '10.42.0.2' }]), newSlice('b', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }])]));
  const after = buildRules(servicePorts(svcs, [newSlice('a', [{ ip: '10.42.0.2' }]), newSlice('b', [{ ip: '10.42.0.5' }])]));
  const full = restoreText(undefined, after);
  t.true(full.changedChains >= 6);
  const { text, changedChains } = restoreText(before, after);
  // b's service chain changed, one endpoint chain went away; nothing about a is touched.
  t.is(changedChains, 2);
  t.regex(text, /^\*nat\n/);
  t.regex(text, /-X SKIFF-SEP-/);
  t.false(text.includes('10.43.0.10'));
  t.is(restoreText(after, after).text, '');
});
