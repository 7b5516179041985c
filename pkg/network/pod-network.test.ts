import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BridgeNetwork, gatewayMac, podNetnsName, vethName } from './pod-network.js';
import { createLab } from './testing/lab.js';

test('vethName and podNetnsName fit the kernel limits and are stable', (t) => {
  const name = vethName('sktv', 'default/web-0');
  t.is(name.length, 15);
  t.is(name, vethName('sktv', 'default/web-0'));
  t.not(name, vethName('sktv', 'default/web-1'));
  t.throws(() => vethName('averyverylongpfx', 'x'));
  t.is(podNetnsName('skiff-pod-', 'default/web-0'), 'skiff-pod-default_web-0');
});

test('pods on two nodes reach each other by IP; addresses are unique and survive a restart', async (t) => {
  const lab = await createLab({ nodes: 2 });
  t.teardown(() => lab.cleanup());
  const [n0, n1] = lab.nodes;
  const pods = [await lab.addPod(n0, 'ns/a'), await lab.addPod(n0, 'ns/b'), await lab.addPod(n1, 'ns/c'), await lab.addPod(n1, 'ns/d')];
  t.deepEqual(
    pods.map((p) => p.ip),
    ['10.42.0.2', '10.42.0.3', '10.42.1.2', '10.42.1.3'],
  );
  t.is(pods[0].gateway, '10.42.0.1');
  t.deepEqual(pods[0].routes, [{ dst: '0.0.0.0/0', via: '10.42.0.1' }]);
  // Loopback is up in every pod.
  t.regex(await lab.exec(pods[0].netnsPath, ['ip', '-o', 'link', 'show', 'lo']), /UP/);
  for (const from of pods) {
    for (const to of pods) {
      if (from === to) continue;
      await t.notThrowsAsync(lab.exec(from.netnsPath, ['busybox', 'ping', '-c', '1', '-W', '2', to.ip]), `${from.key} → ${to.key}`);
    }
  }
  // An agent restart: a new plugin over the same state hands the same addresses back and
  // leaves running pods connected.
  const restarted = new BridgeNetwork({
    podCidr: n0.podCidr,
    stateDir: join(lab.stateDir, 'node0'),
    bridgeName: n0.network.bridgeName,
    nodeNetnsPath: n0.netnsPath,
    netnsPrefix: `${lab.prefix}p-`,
    vethPrefix: 'sktv',
  });
  t.deepEqual((await restarted.list()).sort(), ['ns/a', 'ns/b']);
  t.is((await restarted.setUp('ns/a')).ip, '10.42.0.2');
  await t.notThrowsAsync(lab.exec(pods[2].netnsPath, ['busybox', 'ping', '-c', '1', '-W', '2', '10.42.0.2']));
  // A new pod after the restart never gets a used address, and tearDown frees everything.
  const e = await restarted.setUp('ns/e');
  t.is(e.ip, '10.42.0.4');
  await restarted.tearDown('ns/e');
  t.false(existsSync(e.netnsPath));
  t.deepEqual((await restarted.list()).sort(), ['ns/a', 'ns/b']);
  const links = await lab.exec(n0.netnsPath, ['ip', '-o', 'link', 'show']);
  t.false(links.includes(vethName('sktv', 'ns/e')));
});

test('setUp joins a namespace the caller made', async (t) => {
  const lab = await createLab({ nodes: 1 });
  t.teardown(() => lab.cleanup());
  const netns = `${lab.prefix}own`;
  await lab.run(['ip', 'netns', 'add', netns]);
  const status = await lab.nodes[0].network.setUp('ns/own', { netnsPath: `/run/netns/${netns}` });
  t.is(status.netnsPath, `/run/netns/${netns}`);
  t.regex(await lab.exec(status.netnsPath, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']), /10\.42\.0\.2\/24/);
  await lab.nodes[0].network.tearDown('ns/own');
  // The caller's namespace stays; only the veth went with the plugin's state.
  t.true(existsSync(`/run/netns/${netns}`));
});

test('gatewayMac is a stable locally administered MAC from the gateway address', (t) => {
  t.is(gatewayMac('10.42.0.1'), '0a:58:0a:2a:00:01');
  t.is(gatewayMac('10.42.255.1'), '0a:58:0a:2a:ff:01');
});
