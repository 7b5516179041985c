import test from 'ava';
import { newPod } from '../api/core/pod-builders.js';
import { containerConfig, podDnsConfig, resourcesFor, sandboxConfig, securityContextFor } from './container-config.js';
import type { Pod } from '../api/core/pod-types.js';
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
  t.like(cfg, { stdin: false, stdinOnce: false, tty: false });
});

test('containerConfig: stdin, stdinOnce and tty come from the container (kubectl run -it)', (t) => {
  const pod = newPod({ spec: { containers: [{ name: 'app', image: 'busybox', stdin: true, stdinOnce: true, tty: true }] } });
  const cfg = containerConfig(pod, pod.spec.containers[0]!, { kind: 'app', attempt: 0, env: [], mounts: [], image: 'busybox' });
  t.like(cfg, { stdin: true, stdinOnce: true, tty: true });
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

test('podDnsConfig: ClusterFirst uses the cluster DNS with namespace search and ndots:5; host network and Default fall back', (t) => {
  const cluster = { nameserver: '10.42.0.1' };
  const pod = (spec: Record<string, unknown>) => ({ metadata: { name: 'p', namespace: 'team' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } }) as unknown as Pod;
  t.deepEqual(podDnsConfig(pod({}), cluster), { servers: ['10.42.0.1'], searches: ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] });
  t.is(podDnsConfig(pod({ hostNetwork: true }), cluster), null);
  t.is(podDnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cluster)?.servers?.[0], '10.42.0.1');
  t.is(podDnsConfig(pod({ dnsPolicy: 'Default' }), cluster), null);
  t.is(podDnsConfig(pod({}), undefined), null);
  const merged = podDnsConfig(pod({ dnsConfig: { nameservers: ['1.2.3.4'], searches: ['x.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), { nameserver: '10.42.0.1', domain: 'k.local' });
  t.deepEqual(merged, { servers: ['10.42.0.1', '1.2.3.4'], searches: ['team.svc.k.local', 'svc.k.local', 'k.local', 'x.example'], options: ['ndots:2', 'edns0'] });
  t.deepEqual(podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['9.9.9.9'] } }), cluster), { servers: ['9.9.9.9'], searches: [], options: [] });
});
