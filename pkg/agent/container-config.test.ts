import test from 'ava';
import { newPod } from '../api/core/pod-builders.js';
import { containerConfig, resourcesFor, sandboxConfig, securityContextFor } from './container-config.js';
import { ContainerHashAnnotation, PodUIDLabel, RestartCountAnnotation, specHash } from './labels.js';

test('resourcesFor: CPU limit → CFS quota, request → shares, memory limit → bytes', (t) => {
  const cases = [
    { name: 'limits only', resources: { limits: { cpu: '500m', memory: '64Mi' } }, want: { cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 512, memoryLimitInBytes: 64 * 1024 * 1024 } },
    { name: 'request only', resources: { requests: { cpu: '250m' } }, want: { cpuShares: 256 } },
    { name: 'best effort', resources: {}, want: { cpuShares: 2 } },
  ];
  for (const c of cases) t.deepEqual(resourcesFor({ name: 'a', resources: c.resources }), c.want, c.name);
});

test('securityContextFor: container overrides pod, fsGroup joins supplemental groups', (t) => {
  const pod = newPod({ spec: { securityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, supplementalGroups: [3000] } } });
  const sc = securityContextFor(pod, { name: 'a', securityContext: { runAsUser: 1001, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, allowPrivilegeEscalation: false } });
  t.deepEqual(sc.runAsUser, { value: 1001 });
  t.deepEqual(sc.runAsGroup, { value: 1000 });
  t.deepEqual(sc.supplementalGroups, [3000, 2000]);
  t.true(sc.readonlyRootfs);
  t.false(sc.privileged);
  t.true(sc.noNewPrivs);
  t.deepEqual(sc.capabilities, { addCapabilities: ['NET_BIND_SERVICE'], dropCapabilities: ['ALL'] });
});

test('containerConfig: $(VAR) in command and args, labels, hash and attempt', (t) => {
  const pod = newPod({ spec: { containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c'], args: ['echo $(GREETING) $(NOPE)'] }] } });
  pod.metadata.uid = 'u1';
  const c = pod.spec.containers[0]!;
  const cfg = containerConfig(pod, c, { kind: 'app', attempt: 3, env: [{ name: 'GREETING', value: 'hi' }], mounts: [], image: 'busybox' });
  t.deepEqual(cfg.args, ['echo hi $(NOPE)']);
  t.is(cfg.labels![PodUIDLabel], 'u1');
  t.is(cfg.annotations![ContainerHashAnnotation], specHash(c));
  t.is(cfg.annotations![RestartCountAnnotation], '3');
  t.is(cfg.logPath, 'app/3.log');
  t.deepEqual(cfg.metadata, { name: 'app', attempt: 3 });
});

test('sandboxConfig: host network uses the node namespace, else the given netns', (t) => {
  const pod = newPod({ spec: { hostNetwork: true, shareProcessNamespace: true } });
  const sb = sandboxConfig(pod, { logDirectory: '/logs', netnsPath: '/run/netns/x' });
  t.is(sb.linux!.securityContext!.namespaceOptions!.network, 'NODE');
  t.is(sb.linux!.securityContext!.namespaceOptions!.pid, 'POD');
  t.is(sb.linux!.netnsPath, '');
  pod.spec.hostNetwork = false;
  t.is(sandboxConfig(pod, { logDirectory: '/logs', netnsPath: '/run/netns/x' }).linux!.netnsPath, '/run/netns/x');
});
