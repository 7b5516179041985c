// Tests through the package entry point: every kind is registered, and realistic manifests
// (as kubectl users write them) pass the schema, defaults and validation.
import test from 'ava';
import yaml from 'js-yaml';
import { allKinds, apiVersionOf, kindFor, kindForResource, structuralErrors, type KubeObject } from './index.js';

const expected = [
  ['v1', 'Namespace', 'namespaces', false],
  ['v1', 'Pod', 'pods', true],
  ['v1', 'Node', 'nodes', false],
  ['v1', 'Service', 'services', true],
  ['v1', 'Endpoints', 'endpoints', true],
  ['v1', 'ConfigMap', 'configmaps', true],
  ['v1', 'Secret', 'secrets', true],
  ['v1', 'Event', 'events', true],
  ['v1', 'ServiceAccount', 'serviceaccounts', true],
  ['apps/v1', 'Deployment', 'deployments', true],
  ['apps/v1', 'ReplicaSet', 'replicasets', true],
  ['apps/v1', 'DaemonSet', 'daemonsets', true],
  ['batch/v1', 'Job', 'jobs', true],
  ['batch/v1', 'CronJob', 'cronjobs', true],
  ['coordination.k8s.io/v1', 'Lease', 'leases', true],
  ['discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices', true],
  ['scheduling.k8s.io/v1', 'PriorityClass', 'priorityclasses', false],
] as const;

test('every kind is registered once, findable by kind and by resource', (t) => {
  t.is(allKinds().length, expected.length);
  for (const [apiVersion, kind, resource, namespaced] of expected) {
    const info = kindFor(apiVersion, kind);
    t.truthy(info, kind);
    t.is(apiVersionOf(info!), apiVersion);
    t.is(kindForResource(info!.group, info!.version, resource), info);
    t.is(info!.namespaced, namespaced, kind);
    t.is(info!.listKind, `${kind}List`);
    t.is(info!.hasStatus, info!.subresources.includes('status'), kind);
  }
});

test('every schema rejects unknown top-level and metadata fields', (t) => {
  for (const info of allKinds()) {
    const obj = { apiVersion: apiVersionOf(info), kind: info.kind, metadata: { name: 'x', nmae: 'typo' }, bogus: 1 };
    t.deepEqual(structuralErrors(info.schema, obj).map((e) => e.field).sort(), ['bogus', 'metadata.nmae'], info.kind);
  }
});

const manifests = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  nginx.conf: |
    server { listen 8080; }
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
  namespace: shop
type: Opaque
stringData:
  password: hunter2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: web, tier: front}
      annotations: {example.com/rev: "1"}
    spec:
      serviceAccountName: web
      terminationGracePeriodSeconds: 10
      nodeSelector: {kubernetes.io/os: linux}
      tolerations:
      - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector: {matchLabels: {app: web}}
      containers:
      - name: web
        image: registry.local/web:1.2.3
        args: ["--port=8080"]
        ports:
        - {name: http, containerPort: 8080}
        env:
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: PASSWORD, valueFrom: {secretKeyRef: {name: web-secret, key: password}}}
        envFrom:
        - configMapRef: {name: web-config}
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {cpu: "1", memory: 128Mi}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          initialDelaySeconds: 2
        livenessProbe:
          tcpSocket: {port: 8080}
        volumeMounts:
        - {name: config, mountPath: /etc/nginx, readOnly: true}
        - {name: cache, mountPath: /cache}
      volumes:
      - name: config
        configMap: {name: web-config}
      - name: cache
        emptyDir: {sizeLimit: 100Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: shop
spec:
  schedule: "*/15 * * * *"
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: registry.local/report:0.1
            command: [sh, -c, "echo done"]
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: log-agent
  namespace: kube-system
spec:
  selector:
    matchLabels: {app: log-agent}
  template:
    metadata:
      labels: {app: log-agent}
    spec:
      hostNetwork: true
      tolerations:
      - operator: Exists
      containers:
      - name: agent
        image: registry.local/log-agent:2
        volumeMounts:
        - {name: varlog, mountPath: /var/log}
      volumes:
      - name: varlog
        hostPath: {path: /var/log, type: Directory}
`;

test('realistic manifests pass schema, defaults and validation', (t) => {
  const docs = yaml.loadAll(manifests) as KubeObject[];
  t.is(docs.length, 7);
  for (const doc of docs) {
    const info = kindFor(doc.apiVersion!, doc.kind!);
    t.truthy(info, doc.kind);
    t.deepEqual(structuralErrors(info!.schema, doc), [], doc.kind);
    info!.defaults(doc);
    t.deepEqual(info!.validate(doc), [], doc.kind);
    // Defaults are idempotent: applying them again changes nothing.
    const again = structuredClone(doc);
    info!.defaults(again);
    t.deepEqual(again, doc, doc.kind);
    // An update that changes nothing is always valid.
    t.deepEqual(info!.validateUpdate?.(structuredClone(doc), doc) ?? [], [], doc.kind);
  }
});
