// Golden-output tests: what `skiff get`, `describe` and `rollout history` print for fixed
// objects at a fixed time, compared with test/golden/*.txt. UPDATE_GOLDEN=1 rewrites them.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../api/meta.js';
import { toTable } from '../apiserver/tables.js';
import { describePod } from './describe/pod.js';
import { describeDeployment, describeGeneric, describeNode, describeService } from './describe/workloads.js';
import { printTable, type Table } from './printers/table.js';
import { historyTable } from './rollout/history.js';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'golden');
const NOW = Date.parse('2026-01-02T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function golden(t: import('ava').ExecutionContext, name: string, actual: string): void {
  const file = path.join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN || !fs.existsSync(file)) fs.writeFileSync(file, actual);
  t.is(actual, fs.readFileSync(file, 'utf8'), `${name}.txt (UPDATE_GOLDEN=1 to accept a change)`);
}

function newPod(name: string, opts: { phase?: string; ready?: boolean; restarts?: number; node?: string; ip?: string; labels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      creationTimestamp: ago(3 * 3600 + 125),
      labels: opts.labels ?? { app: 'web', 'pod-template-hash': '5d9c7b' },
      annotations: { 'skiff.dev/note': 'golden' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9c7b', uid: 'uid-rs2', controller: true }],
    },
    spec: {
      nodeName: opts.node ?? 'node-a',
      serviceAccountName: 'default',
      priority: 0,
      restartPolicy: 'Always',
      containers: [
        {
          name: 'web',
          image: 'skiff.local/web:v2',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'prod' }, { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'greeting' } } }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }],
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: {
      phase: opts.phase ?? 'Running',
      hostIP: '10.250.0.2',
      podIP: opts.ip ?? '10.244.1.7',
      podIPs: [{ ip: opts.ip ?? '10.244.1.7' }],
      startTime: ago(3 * 3600 + 120),
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'True' },
        { type: 'ContainersReady', status: opts.ready === false ? 'False' : 'True' },
        { type: 'Ready', status: opts.ready === false ? 'False' : 'True' },
      ],
      containerStatuses: [
        {
          name: 'web',
          image: 'skiff.local/web:v2',
          imageID: 'sha256:4f1c0e',
          containerID: 'skiff://c0ffee',
          ready: opts.ready ?? true,
          restartCount: opts.restarts ?? 0,
          state: { running: { startedAt: ago(3 * 3600 + 100) } },
          ...(opts.restarts ? { lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: ago(3 * 3600 + 118), finishedAt: ago(600) } } } : {}),
        },
      ],
    },
  };
}

function newEvent(name: string, involved: { kind: string; name: string }, reason: string, message: string, opts: { type?: string; count?: number; first?: number; last?: number; from?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'shop', creationTimestamp: ago(opts.first ?? 60) },
    involvedObject: { ...involved, namespace: 'shop' },
    reason,
    message,
    type: opts.type ?? 'Normal',
    count: opts.count ?? 1,
    firstTimestamp: ago(opts.first ?? 60),
    lastTimestamp: ago(opts.last ?? opts.first ?? 60),
    source: { component: opts.from ?? 'default-scheduler' },
  };
}

function newDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', uid: 'uid-dep', generation: 3, creationTimestamp: ago(2 * 86400), labels: { app: 'web', tier: 'frontend' }, annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
      template: newPodTemplate('skiff.local/web:v2'),
    },
    status: {
      observedGeneration: 3,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 1,
      conditions: [
        { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      ],
    },
  };
}

function newPodTemplate(image: string) {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'MODE', value: 'prod' }] }] } };
}

function newReplicaSet(name: string, revision: number, image: string, replicas: number, cause?: string): KubeObject {
  const template = newPodTemplate(image);
  (template.metadata.labels as Record<string, string>)['pod-template-hash'] = name.split('-').pop()!;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      creationTimestamp: ago(86400 / revision),
      annotations: { 'deployment.kubernetes.io/revision': String(revision), ...(cause ? { 'kubernetes.io/change-cause': cause } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-dep', controller: true }],
    },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template },
    status: { replicas, readyReplicas: replicas },
  };
}

const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop', uid: 'uid-svc', creationTimestamp: ago(7200), labels: { app: 'web' } },
  spec: { type: 'NodePort', selector: { app: 'web' }, clusterIP: '10.96.0.42', clusterIPs: ['10.96.0.42'], ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }], sessionAffinity: 'None' },
};
const endpoints: KubeObject = {
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'web', namespace: 'shop' },
  subsets: [{ addresses: [{ ip: '10.244.1.7' }, { ip: '10.244.2.9' }], ports: [{ name: 'http', port: 8080 }] }],
};
const node: KubeObject = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-a', uid: 'uid-node', creationTimestamp: ago(10 * 86400), labels: { 'kubernetes.io/hostname': 'node-a', 'node-role.kubernetes.io/worker': '' } },
  spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }] },
  status: {
    conditions: [
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'skiff agent has sufficient memory available', lastHeartbeatTime: ago(20), lastTransitionTime: ago(10 * 86400) },
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'skiff agent is posting ready status', lastHeartbeatTime: ago(20), lastTransitionTime: ago(10 * 86400) },
    ],
    addresses: [{ type: 'InternalIP', address: '10.250.0.2' }, { type: 'Hostname', address: 'node-a' }],
    capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    allocatable: { cpu: '4', memory: '7Gi', pods: '110' },
    nodeInfo: { machineID: 'm1', systemUUID: 's1', bootID: 'b1', kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'skiff://0.1.0', kubeletVersion: 'v1.32.0-skiff' },
  },
};

const asTable = (resource: string, objects: KubeObject[]): Table => toTable(resource, objects, {}, NOW) as Table;

test('golden: get tables', (t) => {
  const pods = [newPod('web-5d9c7b-abcde'), newPod('web-5d9c7b-fghij', { ready: false, restarts: 2, node: 'node-b', ip: '10.244.2.9' }), newPod('web-5d9c7b-klmno', { phase: 'Pending', ready: false, node: '', ip: '' })];
  golden(t, 'get-pods', printTable(asTable('pods', pods)));
  golden(t, 'get-pods-wide', printTable(asTable('pods', pods), { wide: true }));
  golden(t, 'get-pods-all-namespaces-labels', printTable(asTable('pods', pods), { namespaceColumn: true, showLabels: true }));
  const several = [
    printTable(asTable('deployments', [newDeployment()]), { kindPrefix: 'deployment.apps' }),
    printTable(asTable('replicasets', [newReplicaSet('web-7f8e6a', 1, 'skiff.local/web:v1', 0), newReplicaSet('web-5d9c7b', 2, 'skiff.local/web:v2', 3)]), { kindPrefix: 'replicaset.apps' }),
    printTable(asTable('services', [service]), { kindPrefix: 'service' }),
  ].join('\n');
  golden(t, 'get-deploy-rs-svc', several);
  golden(t, 'get-nodes-wide', printTable(asTable('nodes', [node]), { wide: true }));
});

test('golden: describe', (t) => {
  const pod = newPod('web-5d9c7b-fghij', { ready: false, restarts: 2 });
  const events = [
    newEvent('e1', { kind: 'Pod', name: pod.metadata.name! }, 'Scheduled', `Successfully assigned shop/${pod.metadata.name} to node-a`, { first: 3 * 3600 + 125 }),
    newEvent('e2', { kind: 'Pod', name: pod.metadata.name! }, 'Pulled', 'Container image "skiff.local/web:v2" already present on machine', { count: 3, first: 3 * 3600 + 110, last: 600, from: 'agent' }),
    newEvent('e3', { kind: 'Pod', name: pod.metadata.name! }, 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', { type: 'Warning', count: 12, first: 900, last: 30, from: 'agent' }),
  ];
  golden(t, 'describe-pod', describePod(pod, { now: NOW, events }));
  const rss = [newReplicaSet('web-7f8e6a', 1, 'skiff.local/web:v1', 0), newReplicaSet('web-5d9c7b', 2, 'skiff.local/web:v2', 3)];
  golden(t, 'describe-deployment', describeDeployment(newDeployment(), { now: NOW, events: [newEvent('d1', { kind: 'Deployment', name: 'web' }, 'ScalingReplicaSet', 'Scaled up replica set web-5d9c7b from 0 to 3', { first: 4000, from: 'deployment-controller' })], related: { replicasets: rss } }));
  golden(t, 'describe-service', describeService(service, { now: NOW, events: [], related: { endpoints: [endpoints] } }));
  golden(t, 'describe-node', describeNode(node, { now: NOW, events: [], related: { pods: [newPod('web-5d9c7b-abcde')], leases: [{ metadata: { name: 'node-a' }, spec: { holderIdentity: 'node-a', renewTime: ago(5) } } as KubeObject] } }));
  golden(t, 'describe-configmap', describeGeneric({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: 'shop' }, data: { greeting: 'hello', 'app.properties': 'a=1\nb=2\n' } }, { now: NOW, events: [] }));
});

test('golden: rollout history', (t) => {
  const rss = [newReplicaSet('web-5d9c7b', 2, 'skiff.local/web:v2', 3, 'skiff apply -f web.yaml'), newReplicaSet('web-7f8e6a', 1, 'skiff.local/web:v1', 0), newReplicaSet('web-1a2b3c', 10, 'skiff.local/web:v3', 0)];
  golden(t, 'rollout-history', historyTable('deployment.apps/web', rss));
});
