import test from 'ava';
import { hostsFile, resolvConf } from './etc.js';

test('resolvConf renders search, nameservers and options', (t) => {
  t.is(
    resolvConf({ servers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5'] }, 'host'),
    'search default.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
  );
});

test('resolvConf falls back to the host file when DNS config is empty', (t) => {
  t.is(resolvConf(null, 'nameserver 1.1.1.1\n'), 'nameserver 1.1.1.1\n');
  t.is(resolvConf({ servers: [], searches: [], options: [] }, 'x'), 'x');
});

test('hostsFile maps localhost and the pod hostname', (t) => {
  const hosts = hostsFile('web-0');
  t.regex(hosts, /^127\.0\.0\.1\tlocalhost$/m);
  t.regex(hosts, /^127\.0\.1\.1\tweb-0$/m);
});
