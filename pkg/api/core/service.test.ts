import test from 'ava';
import { structuralErrors } from '../schema.js';
import { preserveAllocatedValues, serviceKind, type Service } from './service.js';

function newService(spec: Service['spec'] = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
  };
}

function defaulted(svc: Service): Service {
  serviceKind.defaults(svc);
  return svc;
}

test('Service defaults', (t) => {
  const svc = defaulted(newService({ ports: [{ port: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP', name: 'b' }] }));
  t.is(svc.spec!.type, 'ClusterIP');
  t.is(svc.spec!.sessionAffinity, 'None');
  t.is(svc.spec!.internalTrafficPolicy, 'Cluster');
  t.is(svc.spec!.externalTrafficPolicy, undefined);
  t.deepEqual(svc.spec!.ports![0], { port: 80, protocol: 'TCP', targetPort: 80 });
  t.is(svc.spec!.ports![1].targetPort, 'https');
});

test('Service defaults for NodePort with ClientIP affinity', (t) => {
  const svc = defaulted(newService({ type: 'NodePort', sessionAffinity: 'ClientIP' }));
  t.is(svc.spec!.externalTrafficPolicy, 'Cluster');
  t.deepEqual(svc.spec!.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
});

const cases: { name: string; spec: Service['spec']; metaName?: string; fields: string[] }[] = [
  { name: 'valid', spec: {}, fields: [] },
  { name: 'headless without ports', spec: { clusterIP: 'None', ports: [] }, fields: [] },
  { name: 'no ports', spec: { ports: [] }, fields: ['spec.ports'] },
  { name: 'two ports need names', spec: { ports: [{ port: 80 }, { port: 81, name: 'b' }] }, fields: ['spec.ports[0].name'] },
  { name: 'port names are DNS labels, digits only allowed (kubectl create service names them "80-8080")', spec: { ports: [{ port: 80, name: '80-8080' }, { port: 81, name: '81' }] }, fields: [] },
  { name: 'a port name that is no DNS label', spec: { ports: [{ port: 80, name: 'Web_Port' }] }, fields: ['spec.ports[0].name'] },
  { name: 'duplicate port names', spec: { ports: [{ port: 80, name: 'a' }, { port: 81, name: 'a' }] }, fields: ['spec.ports[1].name'] },
  { name: 'duplicate port and protocol', spec: { ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] }, fields: ['spec.ports[1]'] },
  { name: 'port out of range', spec: { ports: [{ port: 70000 }] }, fields: ['spec.ports[0].port', 'spec.ports[0].targetPort'] },
  { name: 'bad protocol', spec: { ports: [{ port: 80, protocol: 'ICMP' as never }] }, fields: ['spec.ports[0].protocol'] },
  { name: 'bad target port name', spec: { ports: [{ port: 80, targetPort: 'Web_Port' }] }, fields: ['spec.ports[0].targetPort'] },
  { name: 'nodePort on ClusterIP', spec: { ports: [{ port: 80, nodePort: 30080 }] }, fields: ['spec.ports[0].nodePort'] },
  { name: 'nodePort on NodePort', spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }, fields: [] },
  { name: 'bad type', spec: { type: 'Internal' as never }, fields: ['spec.type'] },
  { name: 'bad session affinity', spec: { sessionAffinity: 'Cookie' as never }, fields: ['spec.sessionAffinity'] },
  { name: 'bad clusterIP', spec: { clusterIP: '10.0.0' }, fields: ['spec.clusterIP', 'spec.clusterIPs[0]'] },
  { name: 'ExternalName without name', spec: { type: 'ExternalName', ports: [] }, fields: ['spec.externalName'] },
  { name: 'ExternalName', spec: { type: 'ExternalName', externalName: 'db.example.com', ports: [] }, fields: [] },
  { name: 'externalTrafficPolicy on ClusterIP', spec: { externalTrafficPolicy: 'Local' }, fields: ['spec.externalTrafficPolicy'] },
  { name: 'bad selector', spec: { selector: { app: 'a b' } }, fields: ['spec.selector'] },
  { name: 'name must be DNS-1035', spec: {}, metaName: '1web', fields: ['metadata.name'] },
];
for (const c of cases) {
  test(`Service validation: ${c.name}`, (t) => {
    const svc = newService(c.spec);
    if (c.metaName) svc.metadata.name = c.metaName;
    serviceKind.defaults(svc);
    const errs = serviceKind.validate(svc);
    t.deepEqual(errs.map((e) => e.field), c.fields, JSON.stringify(errs));
  });
}

test('Service clusterIP is immutable once set', (t) => {
  const old = defaulted(newService({ clusterIP: '10.96.0.10' }));
  const changed = structuredClone(old);
  changed.spec!.clusterIP = '10.96.0.11';
  changed.spec!.clusterIPs = ['10.96.0.11'];
  t.deepEqual(serviceKind.validateUpdate!(changed, old).map((e) => e.field), ['spec.clusterIP', 'spec.clusterIPs[0]']);
  const toExternal = structuredClone(old);
  toExternal.spec = { type: 'ExternalName', externalName: 'x.example.com' };
  t.deepEqual(serviceKind.validateUpdate!(toExternal, old), []);
});

test('preserveAllocatedValues keeps the allocated IP and node ports on re-apply', (t) => {
  const old = defaulted(newService({ type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080 }] }));
  const reapplied = defaulted(newService({ type: 'NodePort' }));
  preserveAllocatedValues(reapplied, old);
  t.is(reapplied.spec!.clusterIP, '10.96.0.10');
  t.deepEqual(reapplied.spec!.clusterIPs, ['10.96.0.10']);
  t.is(reapplied.spec!.ports![0].nodePort, 30080);
  t.deepEqual(serviceKind.validateUpdate!(reapplied, old), []);
});

test('Service schema rejects unknown fields', (t) => {
  const svc = newService() as any;
  svc.spec.ports[0].targetport = 80;
  svc.spec.clusterIp = '1.2.3.4';
  t.deepEqual(structuralErrors(serviceKind.schema, svc).map((e) => e.field).sort(), ['spec.clusterIp', 'spec.ports[0].targetport']);
});
