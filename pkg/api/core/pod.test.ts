import test from 'ava';
import { structuralErrors } from '../schema.js';
import { kindFor } from '../scheme.js';
import { newContainer, newPod } from './pod-builders.js';
import { defaultImagePullPolicy } from './pod-defaults.js';
import type { Pod } from './pod-types.js';
import { podKind } from './pod.js';

function defaulted(pod: Pod): Pod {
  podKind.defaults(pod);
  return pod;
}

test('Pod is registered as core/v1 pods', (t) => {
  t.is(kindFor('v1', 'Pod'), podKind);
  t.true(podKind.namespaced);
  t.true(podKind.subresources.includes('binding'));
});

test('Pod defaults: spec, containers, probes, volumes', (t) => {
  const pod = newPod({
    spec: {
      containers: [
        newContainer({
          image: 'busybox',
          ports: [{ containerPort: 80 }],
          livenessProbe: { httpGet: { port: 80 } },
          resources: { limits: { cpu: '500m', memory: '64Mi' } },
          env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        }),
      ],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'cfg' } }],
    },
  });
  defaulted(pod);
  const spec = pod.spec;
  t.is(spec.restartPolicy, 'Always');
  t.is(spec.dnsPolicy, 'ClusterFirst');
  t.is(spec.terminationGracePeriodSeconds, 30);
  t.is(spec.schedulerName, 'default-scheduler');
  t.is(spec.enableServiceLinks, true);
  t.deepEqual(spec.securityContext, {});
  const c = spec.containers[0];
  t.is(c.imagePullPolicy, 'Always');
  t.is(c.terminationMessagePath, '/dev/termination-log');
  t.is(c.terminationMessagePolicy, 'File');
  t.is(c.ports![0].protocol, 'TCP');
  t.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  t.deepEqual(c.resources!.requests, { cpu: '500m', memory: '64Mi' });
  t.is(c.env![0].valueFrom!.fieldRef!.apiVersion, 'v1');
  t.deepEqual(spec.volumes![0], { name: 'scratch', emptyDir: {} });
  t.is(spec.volumes![1].configMap!.defaultMode, 0o644);
  t.is(pod.status!.phase, 'Pending');
  t.is(pod.status!.qosClass, 'Guaranteed');
});

test('Pod defaults keep what is set and only fill missing requests', (t) => {
  const pod = defaulted(
    newPod({ spec: { restartPolicy: 'Never', containers: [newContainer({ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m' } } })] } }),
  );
  t.is(pod.spec.restartPolicy, 'Never');
  t.deepEqual(pod.spec.containers[0].resources!.requests, { cpu: '100m', memory: '1Gi' });
});

test('Pod defaults: hostNetwork ports get hostPort', (t) => {
  const pod = defaulted(newPod({ spec: { hostNetwork: true, containers: [newContainer({ ports: [{ containerPort: 8080 }] })] } }));
  t.is(pod.spec.containers[0].ports![0].hostPort, 8080);
});

const pullPolicyCases: { name: string; image: string; want: string }[] = [
  { name: 'no tag', image: 'nginx', want: 'Always' },
  { name: 'latest', image: 'nginx:latest', want: 'Always' },
  { name: 'tag', image: 'nginx:1.25', want: 'IfNotPresent' },
  { name: 'registry port, no tag', image: 'localhost:5000/nginx', want: 'Always' },
  { name: 'registry port and tag', image: 'localhost:5000/nginx:1', want: 'IfNotPresent' },
  { name: 'digest', image: 'nginx@sha256:abcd', want: 'IfNotPresent' },
];
for (const c of pullPolicyCases) {
  test(`default imagePullPolicy: ${c.name}`, (t) => {
    t.is(defaultImagePullPolicy(c.image) as string, c.want);
  });
}

const validationCases: { name: string; mutate: (p: Pod) => void; fields: string[] }[] = [
  { name: 'valid pod', mutate: () => {}, fields: [] },
  { name: 'no containers', mutate: (p) => (p.spec.containers = []), fields: ['spec.containers'] },
  { name: 'missing image', mutate: (p) => delete p.spec.containers[0].image, fields: ['spec.containers[0].image'] },
  { name: 'bad container name', mutate: (p) => (p.spec.containers[0].name = 'App_1'), fields: ['spec.containers[0].name'] },
  {
    name: 'duplicate container names across init and regular',
    mutate: (p) => (p.spec.initContainers = [newContainer({ name: 'app' })]),
    fields: ['spec.containers[0].name'],
  },
  { name: 'bad restartPolicy', mutate: (p) => (p.spec.restartPolicy = 'Sometimes' as never), fields: ['spec.restartPolicy'] },
  { name: 'bad dnsPolicy', mutate: (p) => (p.spec.dnsPolicy = 'Cluster' as never), fields: ['spec.dnsPolicy'] },
  { name: 'port out of range', mutate: (p) => (p.spec.containers[0].ports = [{ containerPort: 70000, protocol: 'TCP' }]), fields: ['spec.containers[0].ports[0].containerPort'] },
  { name: 'port missing', mutate: (p) => (p.spec.containers[0].ports = [{ containerPort: 0, protocol: 'TCP' }]), fields: ['spec.containers[0].ports[0].containerPort'] },
  { name: 'bad protocol', mutate: (p) => (p.spec.containers[0].ports = [{ containerPort: 80, protocol: 'HTTP' as never }]), fields: ['spec.containers[0].ports[0].protocol'] },
  {
    name: 'duplicate port names',
    mutate: (p) => (p.spec.containers[0].ports = [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 81, name: 'http', protocol: 'TCP' }]),
    fields: ['spec.containers[0].ports[1].name'],
  },
  { name: 'bad quantity', mutate: (p) => (p.spec.containers[0].resources = { limits: { cpu: 'lots' }, requests: { cpu: '1' } }), fields: ['spec.containers[0].resources.limits[cpu]'] },
  {
    name: 'requests above limits',
    mutate: (p) => (p.spec.containers[0].resources = { limits: { cpu: '500m' }, requests: { cpu: '1' } }),
    fields: ['spec.containers[0].resources.requests[cpu]'],
  },
  { name: 'negative memory', mutate: (p) => (p.spec.containers[0].resources = { requests: { memory: '-1Mi' } }), fields: ['spec.containers[0].resources.requests[memory]'] },
  { name: 'unknown standard resource', mutate: (p) => (p.spec.containers[0].resources = { limits: { gpu: '1' } }), fields: ['spec.containers[0].resources.limits[gpu]', 'spec.containers[0].resources.requests[gpu]'] },
  {
    name: 'probe with two handlers',
    mutate: (p) => (p.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, tcpSocket: { port: 80 } }),
    fields: ['spec.containers[0].livenessProbe.tcpSocket'],
  },
  { name: 'probe with no handler', mutate: (p) => (p.spec.containers[0].readinessProbe = { periodSeconds: 5 }), fields: ['spec.containers[0].readinessProbe'] },
  { name: 'liveness successThreshold', mutate: (p) => (p.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, successThreshold: 2 }), fields: ['spec.containers[0].livenessProbe.successThreshold'] },
  { name: 'probe bad port name', mutate: (p) => (p.spec.containers[0].readinessProbe = { httpGet: { port: 'Not_A_Port' } }), fields: ['spec.containers[0].readinessProbe.httpGet.port'] },
  { name: 'duplicate volume names', mutate: (p) => (p.spec.volumes = [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }]), fields: ['spec.volumes[1].name'] },
  { name: 'two volume sources', mutate: (p) => (p.spec.volumes = [{ name: 'a', emptyDir: {}, hostPath: { path: '/tmp' } }]), fields: ['spec.volumes[0].emptyDir'] },
  { name: 'secret volume without name', mutate: (p) => (p.spec.volumes = [{ name: 'a', secret: {} }]), fields: ['spec.volumes[0].secret.secretName'] },
  { name: 'item path escapes', mutate: (p) => (p.spec.volumes = [{ name: 'a', configMap: { name: 'c', items: [{ key: 'k', path: '../x' }] } }]), fields: ['spec.volumes[0].configMap.items[0].path', 'spec.volumes[0].configMap.items[0].path'] },
  { name: 'mount of unknown volume', mutate: (p) => (p.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/data' }]), fields: ['spec.containers[0].volumeMounts[0].name'] },
  {
    name: 'duplicate mount path',
    mutate: (p) => {
      p.spec.volumes = [{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }];
      p.spec.containers[0].volumeMounts = [{ name: 'a', mountPath: '/data' }, { name: 'b', mountPath: '/data' }];
    },
    fields: ['spec.containers[0].volumeMounts[1].mountPath'],
  },
  { name: 'bad env name', mutate: (p) => (p.spec.containers[0].env = [{ name: '1BAD', value: 'x' }]), fields: ['spec.containers[0].env[0].name'] },
  { name: 'env value and valueFrom', mutate: (p) => (p.spec.containers[0].env = [{ name: 'A', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]), fields: ['spec.containers[0].env[0].valueFrom'] },
  { name: 'env bad fieldPath', mutate: (p) => (p.spec.containers[0].env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.x' } } }]), fields: ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath'] },
  { name: 'restartPolicy on a regular container', mutate: (p) => (p.spec.containers[0].restartPolicy = 'Always'), fields: ['spec.containers[0].restartPolicy'] },
  { name: 'probe on a plain init container', mutate: (p) => (p.spec.initContainers = [newContainer({ name: 'init', readinessProbe: { exec: { command: ['true'] } } })]), fields: ['spec.initContainers[0].readinessProbe'] },
  { name: 'toleration Exists with value', mutate: (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists', value: 'v' }]), fields: ['spec.tolerations[0].operator'] },
  { name: 'toleration bad effect', mutate: (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Equal', value: 'v', effect: 'Never' as never }]), fields: ['spec.tolerations[0].effect'] },
  { name: 'tolerationSeconds without NoExecute', mutate: (p) => (p.spec.tolerations = [{ operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }]), fields: ['spec.tolerations[0].effect'] },
  {
    name: 'node affinity without terms',
    mutate: (p) => (p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }),
    fields: ['spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms'],
  },
  {
    name: 'preferred weight out of range',
    mutate: (p) => (p.spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } }] } }),
    fields: ['spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight'],
  },
  {
    name: 'topology spread without key',
    mutate: (p) => (p.spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: '', whenUnsatisfiable: 'DoNotSchedule' }]),
    fields: ['spec.topologySpreadConstraints[0].topologyKey'],
  },
  { name: 'bad nodeSelector label', mutate: (p) => (p.spec.nodeSelector = { 'a b': 'c' }), fields: ['spec.nodeSelector'] },
  { name: 'activeDeadlineSeconds zero', mutate: (p) => (p.spec.activeDeadlineSeconds = 0), fields: ['spec.activeDeadlineSeconds'] },
  { name: 'bad hostname', mutate: (p) => (p.spec.hostname = 'Host'), fields: ['spec.hostname'] },
  { name: 'hostPort must match with hostNetwork', mutate: (p) => { p.spec.hostNetwork = true; p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 81, protocol: 'TCP' }]; }, fields: ['spec.containers[0].ports[0].hostPort'] },
  {
    name: 'host port used twice',
    mutate: (p) => {
      p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }];
      p.spec.containers.push(newContainer({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] }));
    },
    fields: ['spec.containers[1].ports[0].hostPort'],
  },
  { name: 'bad name', mutate: (p) => (p.metadata.name = 'Web'), fields: ['metadata.name'] },
  { name: 'missing namespace', mutate: (p) => delete p.metadata.namespace, fields: ['metadata.namespace'] },
];
for (const c of validationCases) {
  test(`Pod validation: ${c.name}`, (t) => {
    const pod = newPod();
    c.mutate(pod);
    podKind.defaults(pod);
    const errs = podKind.validate(pod);
    t.deepEqual(errs.map((e) => e.field), c.fields, JSON.stringify(errs, null, 1));
  });
}

test('Pod schema rejects unknown fields and wrong types', (t) => {
  const pod = newPod() as any;
  pod.spec.containers[0].imagePullPolicyy = 'Always';
  pod.spec.restartpolicy = 'Never';
  pod.spec.containers[0].ports = [{ containerPort: '80' }];
  pod.metadata.labelz = {};
  const errs = structuralErrors(podKind.schema, pod);
  t.deepEqual(errs.map((e) => e.field).sort(), ['metadata.labelz', 'spec.containers[0].imagePullPolicyy', 'spec.containers[0].ports[0].containerPort', 'spec.restartpolicy']);
});

test('Pod schema accepts a full manifest', (t) => {
  const pod = newPod({
    spec: {
      initContainers: [newContainer({ name: 'init', command: ['sh', '-c', 'true'], restartPolicy: 'Always', startupProbe: { grpc: { port: 9000 } } })],
      containers: [
        newContainer({
          workingDir: '/app',
          args: ['serve'],
          env: [{ name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } }],
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'cfg' } }],
          lifecycle: { preStop: { sleep: { seconds: 5 } } },
          securityContext: { runAsUser: 1000, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
          resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
          stdin: true,
          tty: true,
        }),
      ],
      imagePullSecrets: [{ name: 'regcred' }],
      priorityClassName: 'high',
      serviceAccountName: 'builder',
      shareProcessNamespace: true,
      hostname: 'web-0',
      subdomain: 'web',
      readinessGates: [{ conditionType: 'example.com/ready' }],
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
      volumes: [{ name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }] } }],
    },
  });
  t.deepEqual(structuralErrors(podKind.schema, pod), []);
  podKind.defaults(pod);
  t.deepEqual(podKind.validate(pod), []);
});

const updateCases: { name: string; mutate: (p: Pod) => void; fields: string[] }[] = [
  { name: 'image may change', mutate: (p) => (p.spec.containers[0].image = 'registry.local/app:2.0'), fields: [] },
  { name: 'labels may change', mutate: (p) => (p.metadata.labels = { a: 'b' }), fields: [] },
  { name: 'tolerations may be added', mutate: (p) => (p.spec.tolerations = [{ operator: 'Exists' }]), fields: [] },
  { name: 'activeDeadlineSeconds may be set', mutate: (p) => (p.spec.activeDeadlineSeconds = 10), fields: [] },
  { name: 'command may not change', mutate: (p) => (p.spec.containers[0].command = ['sh']), fields: ['spec'] },
  { name: 'nodeName may not change', mutate: (p) => (p.spec.nodeName = 'node-a'), fields: ['spec'] },
  { name: 'image may not be removed', mutate: (p) => (p.spec.containers[0].image = ''), fields: ['spec.containers[0].image'] },
  { name: 'name is immutable', mutate: (p) => (p.metadata.name = 'other'), fields: ['metadata.name'] },
];
for (const c of updateCases) {
  test(`Pod update: ${c.name}`, (t) => {
    const old = defaulted(newPod());
    const pod = structuredClone(old);
    c.mutate(pod);
    t.deepEqual(podKind.validateUpdate!(pod, old).map((e) => e.field), c.fields);
  });
}

test('Pod selectable fields', (t) => {
  const pod = defaulted(newPod({ spec: { nodeName: 'node-a', serviceAccountName: 'sa' } }));
  const fields = podKind.selectableFields!(pod);
  t.is(fields['spec.nodeName'], 'node-a');
  t.is(fields['spec.restartPolicy'], 'Always');
  t.is(fields['spec.schedulerName'], 'default-scheduler');
  t.is(fields['spec.serviceAccountName'], 'sa');
  t.is(fields['status.phase'], 'Pending');
  t.is(fields['status.podIP'], '');
  t.is(fields['status.nominatedNodeName'], '');
});

test('Pod status schema accepts what the agent writes', (t) => {
  const pod = newPod() as any;
  pod.status = {
    phase: 'Running',
    qosClass: 'BestEffort',
    hostIP: '10.0.0.2',
    hostIPs: [{ ip: '10.0.0.2' }],
    podIP: '10.244.1.5',
    podIPs: [{ ip: '10.244.1.5' }],
    startTime: '2024-01-01T00:00:00Z',
    conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-01-01T00:00:01Z' }],
    containerStatuses: [
      {
        name: 'app',
        ready: true,
        started: true,
        restartCount: 1,
        image: 'registry.local/app:1.0',
        imageID: 'sha256:abc',
        containerID: 'skiff://0123',
        state: { running: { startedAt: '2024-01-01T00:00:01Z' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2024-01-01T00:00:00Z', finishedAt: '2024-01-01T00:00:01Z' } },
      },
    ],
  };
  t.deepEqual(structuralErrors(podKind.schema, pod), []);
  pod.status.containerStatuses[0].state.exited = {};
  t.deepEqual(structuralErrors(podKind.schema, pod).map((e) => e.field), ['status.containerStatuses[0].state.exited']);
});

test('Pod validation: two containers may use the same port name', (t) => {
  const pod = newPod({
    spec: {
      containers: [
        newContainer({ name: 'a', ports: [{ name: 'metrics', containerPort: 9090 }] }),
        newContainer({ name: 'b', ports: [{ name: 'metrics', containerPort: 9091 }] }),
      ],
    },
  });
  podKind.defaults(pod);
  t.deepEqual(podKind.validate(pod), []);
});

test('Pod validation: volume types Skiff cannot mount are refused clearly', (t) => {
  const pod = newPod({ spec: { volumes: [{ name: 'data', csi: { driver: 'x' } } as never] } });
  t.deepEqual(structuralErrors(podKind.schema, pod), []);
  podKind.defaults(pod);
  const errs = podKind.validate(pod);
  t.deepEqual(errs.map((e) => [e.field, e.type]), [['spec.volumes[0].csi', 'FieldValueForbidden']]);
});
