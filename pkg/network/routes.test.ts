import test from 'ava';
import { ensureServiceRoute, ensureUnreachableRoutes, removeOwnedRoutes, syncNodeRoutes } from './routes.js';
import { createLab } from './testing/lab.js';

test('host-gw routes are added, changed and removed; unreachable routes; nothing else touched', async (t) => {
  const lab = await createLab({ nodes: 1 });
  t.teardown(() => lab.cleanup());
  const netnsPath = lab.nodes[0].netnsPath;
  const routes = async () => (await lab.exec(netnsPath, ['ip', '-4', 'route', 'show'])).trim().split('\n').map((l) => l.trim()).sort();
  const before = await routes();
  t.is(await syncNodeRoutes([{ podCidr: '10.42.5.0/24', nodeIP: '10.44.0.20' }, { podCidr: '10.42.6.0/24', nodeIP: '10.44.0.21' }], { netnsPath }), 2);
  t.is(await syncNodeRoutes([{ podCidr: '10.42.5.0/24', nodeIP: '10.44.0.20' }, { podCidr: '10.42.6.0/24', nodeIP: '10.44.0.21' }], { netnsPath }), 0);
  await ensureServiceRoute('10.43.0.0/16', lab.nodes[0].network.bridgeName, { netnsPath });
  t.is(await syncNodeRoutes([{ podCidr: '10.42.6.0/24', nodeIP: '10.44.0.22' }], { netnsPath }), 2);
  // The service route is Skiff's too, but no host-gw route: a sync leaves it alone.
  t.true((await routes()).some((r) => r.startsWith('10.43.0.0/16 dev')));
  const now = await routes();
  t.true(now.some((r) => r.startsWith('10.42.6.0/24 via 10.44.0.22')));
  t.false(now.some((r) => r.startsWith('10.42.5.0/24')));
  await ensureUnreachableRoutes(['10.42.0.0/16', '10.43.0.0/16'], { netnsPath });
  t.true((await routes()).includes('unreachable 10.43.0.0/16 proto 158'));
  // A stray cluster address is refused at once instead of following another route.
  const err = await lab.exec(netnsPath, ['busybox', 'ping', '-c', '1', '-W', '1', '10.43.9.9']).catch((e: Error) => e.message);
  t.regex(err, /unreachable|exit 1/i);
  await removeOwnedRoutes({ netnsPath });
  t.deepEqual(await routes(), before);
});
