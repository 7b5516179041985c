import test from 'ava';
import dgram from 'node:dgram';
import net from 'node:net';
import dns2 from 'dns2';
import type { CommandError } from '../exec.js';
import { newService, newSlice, staticLister } from '../testing/builders.js';
import { createLab } from '../testing/lab.js';
import { podResolvConf } from './resolv-conf.js';
import { Rcode, startClusterDns } from './server.js';

const { Packet } = dns2;

const source = {
  services: staticLister([newService('web', { clusterIP: '10.43.0.10' }), newService('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] })]),
  endpointSlices: staticLister([newSlice('db', [{ ip: '10.42.0.7', hostname: 'db-0' }, { ip: '10.42.1.5', hostname: 'db-1' }], [{ name: 'pg', port: 5432, protocol: 'TCP' }])]),
};

function query(port: number, name: string, type: number): Promise<dns2.Packet> {
  const req = new Packet();
  req.header.id = 4242;
  req.header.rd = 1;
  req.questions.push({ name, type, class: Packet.CLASS.IN } as dns2.Packet.Question);
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => reject(new Error('timeout')), 3000);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(Packet.parse(msg));
    });
    sock.send(req.toBuffer(), port, '127.0.0.1');
  });
}

test('answers A, SRV and NXDOMAIN over UDP; REFUSED outside the cluster without upstream', async (t) => {
  const dns = await startClusterDns({ listen: [{ address: '127.0.0.1', port: 0 }], source });
  t.teardown(() => dns.close());
  const port = dns.addresses[0].port;
  const a = await query(port, 'web.default.svc.cluster.local', Packet.TYPE.A);
  t.is(a.header.id, 4242);
  t.is(a.header.rcode, Rcode.NOERROR);
  t.deepEqual(a.answers.map((r) => r.address), ['10.43.0.10']);
  const srv = await query(port, '_pg._tcp.db.default.svc.cluster.local', Packet.TYPE.SRV);
  t.deepEqual(srv.answers.map((r) => `${r.port} ${r.target}`), ['5432 db-0.db.default.svc.cluster.local', '5432 db-1.db.default.svc.cluster.local']);
  t.deepEqual(srv.additionals.map((r) => r.address), ['10.42.0.7', '10.42.1.5']);
  t.is((await query(port, 'nope.default.svc.cluster.local', Packet.TYPE.A)).header.rcode, Rcode.NXDOMAIN);
  t.is((await query(port, 'example.org', Packet.TYPE.A)).header.rcode, Rcode.REFUSED);
});

test('forwards names outside the cluster to the configured upstream', async (t) => {
  // The "upstream" is another instance serving a different domain.
  const upstream = await startClusterDns({ listen: [{ address: '127.0.0.1', port: 0 }], source, domain: 'corp.test' });
  t.teardown(() => upstream.close());
  const dns = await startClusterDns({ listen: [{ address: '127.0.0.1', port: 0 }], source, upstream: `127.0.0.1:${upstream.addresses[0].port}` });
  t.teardown(() => dns.close());
  const port = dns.addresses[0].port;
  const fwd = await query(port, 'web.default.svc.corp.test', Packet.TYPE.A);
  t.deepEqual(fwd.answers.map((r) => r.address), ['10.43.0.10']);
  t.is((await query(port, 'web.default.svc.cluster.local', Packet.TYPE.A)).answers[0]?.address, '10.43.0.10');
});

test('serves inside a node namespace; a pod resolves names with busybox nslookup and its resolv.conf', async (t) => {
  const lab = await createLab({ nodes: 1 });
  t.teardown(() => lab.cleanup());
  const node = lab.nodes[0];
  const pod = await lab.addPod(node, 'client');
  // Bound to the bridge address, which exists only inside the node namespace.
  const dns = await startClusterDns({ listen: [{ address: node.network.gateway, port: 53, netnsPath: node.netnsPath }], source });
  t.teardown(() => dns.close());
  const out = await lab.exec(pod.netnsPath, ['busybox', 'nslookup', 'web.default.svc.cluster.local', node.network.gateway]);
  t.regex(out, /Address:\s*10\.43\.0\.10/);
  const headless = await lab.exec(pod.netnsPath, ['busybox', 'nslookup', 'db.default.svc.cluster.local', node.network.gateway]);
  t.regex(headless, /10\.42\.0\.7/);
  t.regex(headless, /10\.42\.1\.5/);
  // TCP listens inside the namespace too (on the same address and port).
  await t.notThrowsAsync(lab.exec(pod.netnsPath, ['bash', '-c', `exec 3<>/dev/tcp/${node.network.gateway}/53`]));
  const missing = await lab.exec(pod.netnsPath, ['busybox', 'nslookup', 'nope.default.svc.cluster.local', node.network.gateway]).catch((err: CommandError) => err.stdout);
  t.regex(missing, /NXDOMAIN/);
  // The short name resolves through the search path of the generated resolv.conf (mounted
  // privately in a mount namespace of the pod command only).
  const conf = podResolvConf({ nameservers: [node.network.gateway], namespace: 'default' });
  const short = await lab.exec(pod.netnsPath, ['unshare', '--mount', 'sh', '-c', `printf '%s' "$0" > /tmp/${lab.prefix}-resolv && mount --bind /tmp/${lab.prefix}-resolv /etc/resolv.conf && busybox nslookup web; rm -f /tmp/${lab.prefix}-resolv`, conf]);
  t.regex(short, /web\.default\.svc\.cluster\.local[\s\S]*10\.43\.0\.10/);
});

function queryTcp(port: number, name: string, type: number): Promise<dns2.Packet> {
  const req = new Packet();
  req.header.id = 7;
  req.questions.push({ name, type, class: Packet.CLASS.IN } as dns2.Packet.Question);
  const body = req.toBuffer();
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return new Promise((resolve, reject) => {
    const conn = net.connect(port, '127.0.0.1', () => conn.write(Buffer.concat([len, body])));
    let buf = Buffer.alloc(0);
    conn.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        conn.destroy();
        resolve(Packet.parse(buf.subarray(2)));
      }
    });
    conn.on('error', reject);
  });
}

test('a large headless answer is truncated over UDP and complete over TCP', async (t) => {
  const eps = Array.from({ length: 60 }, (_, i) => ({ ip: `10.42.3.${i + 2}` }));
  const big = {
    services: staticLister([newService('big', { clusterIP: 'None' })]),
    endpointSlices: staticLister([newSlice('big', eps)]),
  };
  const dns = await startClusterDns({ listen: [{ address: '127.0.0.1', port: 0 }], source: big });
  t.teardown(() => dns.close());
  const port = dns.addresses[0].port;
  const udp = await query(port, 'big.default.svc.cluster.local', Packet.TYPE.A);
  t.is(udp.header.tc, 1);
  t.is(udp.answers.length, 0);
  const tcp = await queryTcp(port, 'big.default.svc.cluster.local', Packet.TYPE.A);
  t.is(tcp.header.tc, 0);
  t.is(tcp.answers.length, 60);
});

test('a TCP port taken by someone else: a fixed port fails and frees its UDP socket; port 0 picks another', async (t) => {
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => holder.close());
  const taken = (holder.address() as net.AddressInfo).port;
  const err = await t.throwsAsync(startClusterDns({ listen: [{ address: '127.0.0.1', port: taken }], source }));
  t.is((err as { errno?: number }).errno, 98);
  // The UDP socket of the failed attempt is closed: the same UDP port binds again.
  const again = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.bind(taken, '127.0.0.1', () => resolve());
  });
  again.close();
  const dns = await startClusterDns({ listen: [{ address: '127.0.0.1', port: 0 }], source });
  t.teardown(() => dns.close());
  t.not(dns.addresses[0].port, taken);
  t.is((await queryTcp(dns.addresses[0].port, 'web.default.svc.cluster.local', Packet.TYPE.A)).answers[0]?.address, '10.43.0.10');
});
