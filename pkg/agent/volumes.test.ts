import test from 'ava';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfigMap } from '../api/core/configmap.js';
import { newPod } from '../api/core/pod-builders.js';
import type { Mounter } from './mounter.js';
import { ContainerConfigError, mapObjectSource } from './objects.js';
import { VolumeManager } from './volumes.js';

class FakeMounter implements Mounter {
  readonly mounted = new Set<string>();
  async mountTmpfs(dir: string) {
    this.mounted.add(dir);
  }
  async unmount(dir: string) {
    this.mounted.delete(dir);
  }
  async isMountPoint(dir: string) {
    return this.mounted.has(dir);
  }
  async mountPointsUnder(dir: string) {
    return [...this.mounted].filter((m) => m.startsWith(dir));
  }
}

async function setup(t: { teardown: (f: () => Promise<void>) => void }, configMaps: ConfigMap[]) {
  const dir = await mkdtemp(path.join(tmpdir(), 'skifftest-vol-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const mounter = new FakeMounter();
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const objects = mapObjectSource(configMaps, [{ metadata: { name: 'creds', namespace: 'default' }, data: { token: b64('t0k3n') } }]);
  return { dir, mounter, vm: new VolumeManager({ podsDir: path.join(dir, 'pods'), objects, mounter }) };
}

test('configMap, secret, emptyDir (disk and Memory), downwardAPI and hostPath volumes', async (t) => {
  const cm: ConfigMap = { metadata: { name: 'cfg', namespace: 'default' }, data: { 'app.conf': 'v=1', other: 'x' } };
  const { dir, mounter, vm } = await setup(t, [cm]);
  const pod = newPod({
    spec: {
      volumes: [
        { name: 'conf', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf' }] } },
        { name: 'sec', secret: { secretName: 'creds', defaultMode: 0o400 } },
        { name: 'scratch', emptyDir: {} },
        { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
        { name: 'info', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
        { name: 'host', hostPath: { path: path.join(dir, 'host-data'), type: 'DirectoryOrCreate' } },
      ],
      containers: [{ name: 'app', image: 'x', volumeMounts: [{ name: 'conf', mountPath: '/etc/app' }, { name: 'scratch', mountPath: '/data', subPath: 'sub' }, { name: 'host', mountPath: '/host', readOnly: true }] }],
    },
  });
  pod.metadata.uid = 'u1';
  const paths = await vm.setUp(pod);
  t.is(await readFile(path.join(paths.get('conf')!, 'conf', 'app.conf'), 'utf8'), 'v=1');
  t.is(await readFile(path.join(paths.get('sec')!, 'token'), 'utf8'), 't0k3n');
  t.is((await stat(path.join(paths.get('sec')!, 'token'))).mode & 0o777, 0o400);
  t.is(await readFile(path.join(paths.get('info')!, 'name'), 'utf8'), 'web');
  t.true((await stat(path.join(dir, 'host-data'))).isDirectory());
  t.true(mounter.mounted.has(paths.get('mem')!));

  const mounts = vm.mountsFor(pod, pod.spec.containers[0]!, paths);
  t.deepEqual(
    mounts.map((m) => [m.containerPath, m.readonly]),
    [['/etc/app', true], ['/data', false], ['/host', true]],
  );
  t.is(mounts[1]!.hostPath, path.join(paths.get('scratch')!, 'sub'));

  // The ConfigMap changes: the next setUp updates the file in place.
  cm.data!['app.conf'] = 'v=2';
  await vm.setUp(pod);
  t.is(await readFile(path.join(paths.get('conf')!, 'conf', 'app.conf'), 'utf8'), 'v=2');

  await vm.tearDown('u1');
  t.is(mounter.mounted.size, 0);
  t.is(await stat(vm.podDir('u1')).catch(() => undefined), undefined);
  t.true((await stat(path.join(dir, 'host-data'))).isDirectory(), 'hostPath is left alone');
});

test('missing ConfigMap fails unless optional; hostPath type checks', async (t) => {
  const { dir, vm } = await setup(t, []);
  const pod = newPod({ spec: { volumes: [{ name: 'conf', configMap: { name: 'nope' } }] } });
  pod.metadata.uid = 'u2';
  t.true((await vm.setUp(pod).catch((e) => e)) instanceof ContainerConfigError);
  pod.spec.volumes = [{ name: 'conf', configMap: { name: 'nope', optional: true } }];
  await t.notThrowsAsync(vm.setUp(pod));
  pod.spec.volumes = [{ name: 'h', hostPath: { path: path.join(dir, 'missing'), type: 'Directory' } }];
  t.true((await vm.setUp(pod).catch((e) => e)) instanceof ContainerConfigError);
});
