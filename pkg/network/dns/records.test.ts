import test from 'ava';
import { newService, newSlice, staticLister } from '../testing/builders.js';
import { ClusterZone, type RecordType } from './records.js';
import { podResolvConf } from './resolv-conf.js';

const services = [
  newService('web', { clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] }),
  newService('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, targetPort: 5432, protocol: 'TCP' }] }),
  newService('ext', { type: 'ExternalName', externalName: 'example.org' }),
];
const slices = [
  newSlice('web', [{ ip: '10.42.0.2' }]),
  newSlice('db', [{ ip: '10.42.0.7', hostname: 'db-0' }, { ip: '10.42.1.5', hostname: 'db-1' }, { ip: '10.42.1.9', hostname: 'db-2', ready: false }], [{ name: 'pg', port: 5432, protocol: 'TCP' }]),
];
const zone = new ClusterZone({ services: staticLister(services), endpointSlices: staticLister(slices) });

const cases: { name: string; q: string; type: RecordType; want: string }[] = [
  { name: 'service A is the cluster IP', q: 'web.default.svc.cluster.local', type: 'A', want: 'A 10.43.0.10' },
  { name: 'names are case-insensitive, trailing dot allowed', q: 'WEB.Default.svc.cluster.local.', type: 'A', want: 'A 10.43.0.10' },
  { name: 'headless A lists ready endpoints only', q: 'db.default.svc.cluster.local', type: 'A', want: 'A 10.42.0.7,A 10.42.1.5' },
  { name: 'headless endpoint by hostname', q: 'db-1.db.default.svc.cluster.local', type: 'A', want: 'A 10.42.1.5' },
  { name: 'not-ready endpoint has no name', q: 'db-2.db.default.svc.cluster.local', type: 'A', want: 'NXDOMAIN' },
  { name: 'SRV of a named port', q: '_http._tcp.web.default.svc.cluster.local', type: 'SRV', want: 'SRV 80 web.default.svc.cluster.local' },
  { name: 'SRV of a headless service names each endpoint', q: '_pg._tcp.db.default.svc.cluster.local', type: 'SRV', want: 'SRV 5432 db-0.db.default.svc.cluster.local,SRV 5432 db-1.db.default.svc.cluster.local' },
  { name: 'SRV of an unknown port', q: '_nope._tcp.web.default.svc.cluster.local', type: 'SRV', want: 'NXDOMAIN' },
  { name: 'AAAA of a service exists but is empty', q: 'web.default.svc.cluster.local', type: 'AAAA', want: 'NOERROR' },
  { name: 'unknown service', q: 'nope.default.svc.cluster.local', type: 'A', want: 'NXDOMAIN' },
  { name: 'wrong namespace', q: 'web.other.svc.cluster.local', type: 'A', want: 'NXDOMAIN' },
  { name: 'namespace level exists', q: 'default.svc.cluster.local', type: 'A', want: 'NOERROR' },
  { name: 'pod record', q: '10-42-0-2.default.pod.cluster.local', type: 'A', want: 'A 10.42.0.2' },
  { name: 'bad pod record', q: '10-42-0.default.pod.cluster.local', type: 'A', want: 'NXDOMAIN' },
  { name: 'other names in the domain', q: 'foo.cluster.local', type: 'A', want: 'NXDOMAIN' },
  { name: 'names outside the domain are not ours', q: 'example.org', type: 'A', want: 'NOTAUTH' },
  { name: 'a suffix look-alike is not ours', q: 'evilcluster.local', type: 'A', want: 'NOTAUTH' },
];
for (const c of cases) {
  test(`lookup: ${c.name}`, (t) => {
    const r = zone.lookup(c.q, c.type);
    const got = r.rcode !== 'NOERROR' ? r.rcode : r.answers.length === 0 ? 'NOERROR' : r.answers.map((a) => (a.type === 'A' ? `A ${a.address}` : `SRV ${a.port} ${a.target}`)).join(',');
    t.is(got, c.want);
  });
}

test('additionalFor resolves SRV targets', (t) => {
  const r = zone.lookup('_http._tcp.web.default.svc.cluster.local', 'SRV');
  t.is(r.rcode, 'NOERROR');
  if (r.rcode === 'NOERROR') t.deepEqual(zone.additionalFor(r.answers), [{ name: 'web.default.svc.cluster.local', type: 'A', address: '10.43.0.10' }]);
});

test('podResolvConf writes nameserver, search path and ndots', (t) => {
  t.is(
    podResolvConf({ nameservers: ['10.43.0.10'], namespace: 'shop' }),
    'nameserver 10.43.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n',
  );
  t.is(podResolvConf({ nameservers: ['a', 'b', 'c', 'd'], namespace: 'x', clusterDomain: 'k.test', options: ['timeout:2'] }).split('\n')[3], 'search x.svc.k.test svc.k.test k.test');
});
