import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostLocalIpam } from './ipam.js';

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-ipam-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('allocates from .2, skips the gateway and is idempotent per owner', async (t) => {
  const ipam = new HostLocalIpam({ dir: await tempDir(t), subnet: '10.42.3.0/24' });
  t.is(ipam.gateway, '10.42.3.1');
  t.is(await ipam.allocate('ns/a'), '10.42.3.2');
  t.is(await ipam.allocate('ns/b'), '10.42.3.3');
  t.is(await ipam.allocate('ns/a'), '10.42.3.2');
  t.deepEqual(await ipam.list(), [
    { ip: '10.42.3.2', owner: 'ns/a' },
    { ip: '10.42.3.3', owner: 'ns/b' },
  ]);
});

test('survives a restart and does not reuse a freed address right away', async (t) => {
  const dir = await tempDir(t);
  const first = new HostLocalIpam({ dir, subnet: '10.42.3.0/24' });
  const a = await first.allocate('a');
  const b = await first.allocate('b');
  await first.release('a');
  const restarted = new HostLocalIpam({ dir, subnet: '10.42.3.0/24' });
  t.is(await restarted.get('b'), b);
  const c = await restarted.allocate('c');
  t.not(c, a);
  t.not(c, b);
  t.is(c, '10.42.3.4');
});

test('two allocators on the same directory never hand out an address twice', async (t) => {
  const dir = await tempDir(t);
  const x = new HostLocalIpam({ dir, subnet: '10.42.9.0/28' });
  const y = new HostLocalIpam({ dir, subnet: '10.42.9.0/28' });
  const ips = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? x : y).allocate(`pod-${i}`)));
  t.is(new Set(ips).size, 12);
  // A /28 has 16 addresses: network, gateway, broadcast and 13 for pods.
  t.is(await x.allocate('pod-12'), '10.42.9.14');
  await t.throwsAsync(() => y.allocate('pod-13'), { message: /no free address/ });
  const files = (await readdir(join(dir, '10.42.9.0_28'))).filter((f) => !f.includes('tmp'));
  t.is(files.length, 14); // 13 addresses + last_reserved
});
