import test from 'ava';
import { addressAt, cidrContains, cidrsOverlap, formatCidr, formatIPv4, parseCidr, parseIPv4, subnetAt, subnetCount } from './cidr.js';

test('parseIPv4 and formatIPv4 round-trip', (t) => {
  for (const ip of ['0.0.0.0', '10.42.3.7', '255.255.255.255', '192.168.1.254']) t.is(formatIPv4(parseIPv4(ip)), ip);
  t.is(parseIPv4('10.0.0.1'), 0x0a000001);
  t.throws(() => parseIPv4('10.0.0'));
});

test('parseCidr rejects host bits unless loose', (t) => {
  t.deepEqual(parseCidr('10.42.0.0/16'), { network: parseIPv4('10.42.0.0'), prefix: 16 });
  t.throws(() => parseCidr('10.42.0.1/16'));
  t.is(formatCidr(parseCidr('10.42.0.1/16', true)), '10.42.0.0/16');
  for (const bad of ['10.42.0.0', '10.42.0.0/33', '10.42.0.0/x', 'a/8']) t.throws(() => parseCidr(bad), undefined, bad);
});

test('subnets, containment and overlap', (t) => {
  const cluster = parseCidr('10.42.0.0/16');
  t.is(subnetCount(cluster, 24), 256);
  t.is(formatCidr(subnetAt(cluster, 24, 3)), '10.42.3.0/24');
  t.throws(() => subnetAt(cluster, 24, 256));
  t.true(cidrContains(cluster, '10.42.255.255'));
  t.false(cidrContains(cluster, '10.43.0.0'));
  t.is(addressAt(parseCidr('10.42.3.0/24'), 1), '10.42.3.1');
  t.true(cidrsOverlap(cluster, parseCidr('10.42.7.0/24')));
  t.false(cidrsOverlap(cluster, parseCidr('10.43.0.0/16')));
});
