// The real kubectl's imperative commands. create configmap|secret|namespace|serviceaccount|
// deployment|job|cronjob|service and drain go through client-go's typed clients, which send
// protobuf bodies: each such object is created twice, once by the command (protobuf) in namespace
// "pb" and once from the same command's `--dry-run=client -o json` through `kubectl create -f`
// (JSON) in namespace "js", and what the server stored must be the same. run and expose send JSON.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { removeDir, startServerProcess, type ServerProcess } from '../lib/apiserver.js';

const run = promisify(execFile);
let srv: ServerProcess;
let scratch: string;

test.before(async () => {
  srv = await startServerProcess();
  scratch = mkdtempSync(join(tmpdir(), 'skifftest-pb-'));
  for (const ns of ['pb', 'js']) await kubectl('create', 'namespace', ns);
});
test.after.always(async () => {
  await srv?.stop();
  if (srv) await removeDir(srv.dataDir);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('kubectl', ['--kubeconfig', srv.kubeconfig, ...args], { timeout: 60_000, maxBuffer: 16 << 20 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

type Obj = Record<string, any>;  

async function getJson(...args: string[]): Promise<Obj> {
  const r = await kubectl('get', ...args, '-o', 'json');
  if (r.code !== 0) throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Obj;
}

/** withoutNulls drops null fields: Go's JSON writes a zero time as null (a pod template's
 * creationTimestamp), which means the same as no field. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
}

/** withoutZeros also drops fields whose value is "", 0 or false. */
function withoutZeros(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutZeros);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null && x !== '' && x !== 0 && x !== false).map(([k, x]) => [k, withoutZeros(x)]));
}

/** stored is the part of an object its creator decides: labels, annotations, spec and data. */
function stored(object: Obj): Obj {
  // A Job's selector and labels carry its own uid.
  const o = JSON.parse(JSON.stringify(object).replaceAll(object.metadata.uid, '<uid>')) as Obj;
  const { labels, annotations } = o.metadata ?? {};
  const out: Obj = { labels, annotations, spec: withoutNulls(o.spec), data: o.data, binaryData: o.binaryData, type: o.type, immutable: o.immutable };
  // A Service's addresses and node ports are allocated per object.
  if (out.spec) {
    delete out.spec.clusterIP;
    delete out.spec.clusterIPs;
    for (const p of out.spec.ports ?? []) delete p.nodePort;
  }
  return out;
}

/**
 * createBoth runs `kubectl <args>` in namespace pb (verbosely, to see the protobuf body go out)
 * and its client-side dry run's JSON through `kubectl create -f` in namespace js.
 */
async function createBoth(t: { is: (a: unknown, b: unknown, m?: string) => void; regex: (s: string, r: RegExp, m?: string) => void }, args: string[]): Promise<void> {
  const pb = await kubectl('-n', 'pb', '-v=8', ...args);
  t.is(pb.code, 0, `kubectl ${args.join(' ')}: ${pb.stderr.split('\n').filter((l) => !l.startsWith('I')).join('\n')}`);
  t.regex(pb.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/, 'kubectl sent protobuf');
  const dry = await kubectl('-n', 'js', '--dry-run=client', '-o', 'json', ...args);
  t.is(dry.code, 0, dry.stderr);
  const file = join(scratch, `${args.slice(0, 3).join('-').replace(/[^\w-]/g, '_')}.json`);
  writeFileSync(file, dry.stdout);
  const js = await kubectl('-n', 'js', 'create', '-f', file);
  t.is(js.code, 0, js.stderr);
}

const cases: { name: string; args: string[]; get: string[] }[] = [
  { name: 'configmap with an empty value and binary data', args: ['create', 'configmap', 'cm', '--from-literal=a=1', '--from-literal=empty=', '--from-file=bin=BINARY'], get: ['configmap', 'cm'] },
  { name: 'generic secret', args: ['create', 'secret', 'generic', 's', '--from-literal=k=v', '--type=Opaque'], get: ['secret', 's'] },
  { name: 'docker-registry secret', args: ['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example', '--docker-username=u', '--docker-password=p'], get: ['secret', 'reg'] },
  { name: 'serviceaccount', args: ['create', 'serviceaccount', 'sa'], get: ['serviceaccount', 'sa'] },
  { name: 'deployment with replicas 0 (a pointer zero) and a port', args: ['create', 'deployment', 'web', '--image=busybox', '--replicas=0', '--port=80'], get: ['deployment', 'web'] },
  { name: 'job', args: ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'], get: ['job', 'j'] },
  { name: 'cronjob', args: ['create', 'cronjob', 'c', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'], get: ['cronjob', 'c'] },
  { name: 'clusterip service', args: ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080', '--tcp=443:https'], get: ['service', 'svc'] },
  { name: 'nodeport service', args: ['create', 'service', 'nodeport', 'np', '--tcp=81:8081'], get: ['service', 'np'] },
];

for (const c of cases) {
  test.serial(`kubectl create (protobuf) stores what JSON stores: ${c.name}`, async (t) => {
    const binary = join(scratch, 'binary');
    writeFileSync(binary, Buffer.from([0xff, 0x00, 0xfe, 0x80]));
    const args = c.args.map((a) => a.replace('BINARY', binary));
    await createBoth(t, args);
    const [pb, js] = await Promise.all([getJson('-n', 'pb', ...c.get), getJson('-n', 'js', ...c.get)]);
    t.deepEqual(stored(pb), stored(js));
    if (c.get[0] === 'deployment') t.is(pb.spec.replicas, 0);
    if (c.get[0] === 'configmap') {
      t.is(pb.data.empty, '');
      t.is(pb.binaryData.bin, Buffer.from([0xff, 0x00, 0xfe, 0x80]).toString('base64'));
    }
  });
}

test.serial('kubectl create namespace (protobuf)', async (t) => {
  const r = await kubectl('create', 'namespace', 'pb-made', '-v=8');
  t.is(r.code, 0);
  t.regex(r.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
  const ns = await getJson('namespace', 'pb-made');
  t.is(ns.metadata.name, 'pb-made');
  t.is(ns.status.phase, 'Active');
});

// A pod spec across Skiff's Pod schema: pointer zeros, quantities, int-or-string ports, volumes,
// probes, affinity, security contexts.
const podSpec = {
  terminationGracePeriodSeconds: 0,
  activeDeadlineSeconds: 600,
  automountServiceAccountToken: false,
  enableServiceLinks: false,
  hostname: 'h1',
  subdomain: 'sub',
  nodeSelector: { disk: 'ssd', empty: '' },
  priority: 0,
  dnsPolicy: 'None',
  dnsConfig: { nameservers: ['10.0.0.10'], searches: ['svc.local'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] },
  hostAliases: [{ ip: '127.0.0.2', hostnames: ['a.local', 'b.local'] }],
  securityContext: { runAsUser: 1000, runAsGroup: 0, runAsNonRoot: true, fsGroup: 2000, supplementalGroups: [3000, 0], sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }], seccompProfile: { type: 'RuntimeDefault' } },
  tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute', tolerationSeconds: 0 }, { operator: 'Exists' }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } }],
    },
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { run: 'p' } } } }],
    },
  },
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchExpressions: [{ key: 'run', operator: 'Exists' }] } }],
  volumes: [
    { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    { name: 'cfg', configMap: { name: 'cm', items: [{ key: 'a', path: 'a.txt', mode: 0o400 }], defaultMode: 0o644, optional: false } },
    { name: 'sec', secret: { secretName: 's', defaultMode: 0 } },
    { name: 'host', hostPath: { path: '/tmp', type: 'Directory' } },
    { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    { name: 'all', projected: { sources: [{ configMap: { name: 'cm' } }, { secret: { name: 's', items: [{ key: 'k', path: 'k' }] } }] } },
  ],
  initContainers: [{ name: 'init', image: 'busybox', command: ['true'], resources: { limits: { cpu: '100m', memory: '16Mi' } } }],
  containers: [
    {
      name: 'p',
      image: 'busybox',
      args: ['sleep', '1'],
      workingDir: '/tmp',
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP', hostPort: 0 }],
      env: [
        { name: 'A', value: '1' },
        { name: 'EMPTY', value: '' },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'a', optional: true } } },
        { name: 'SEC', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
      envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cm' } }, { secretRef: { name: 's', optional: true } }],
      resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
      volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }, { name: 'cfg', mountPath: '/cfg', readOnly: true, subPath: 'a.txt' }],
      livenessProbe: { exec: { command: ['true'] }, initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 },
      readinessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '' }] }, periodSeconds: 2 },
      startupProbe: { tcpSocket: { port: 8080 }, failureThreshold: 30, terminationGracePeriodSeconds: 5 },
      lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 1'] } }, postStart: { httpGet: { path: '/', port: 8080 } } },
      securityContext: { privileged: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, runAsUser: 0 },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'FallbackToLogsOnError',
      imagePullPolicy: 'IfNotPresent',
      stdin: true,
      tty: false,
    },
  ],
};

test.serial('kubectl create priorityclass (protobuf), cluster-scoped: the JSON twin has another name', async (t) => {
  const args = (name: string) => ['create', 'priorityclass', name, '--value=1000', '--description=for tests', '--preemption-policy=Never'];
  const pb = await kubectl('-v=8', ...args('pb-high'));
  t.is(pb.code, 0);
  t.regex(pb.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
  const dry = await kubectl('--dry-run=client', '-o', 'json', ...args('js-high'));
  const file = join(scratch, 'priorityclass.json');
  writeFileSync(file, dry.stdout);
  t.is((await kubectl('create', '-f', file)).code, 0);
  const fields = ({ value, globalDefault, description, preemptionPolicy }: Obj) => ({ value, globalDefault, description, preemptionPolicy });
  const [a, b] = await Promise.all([getJson('priorityclass', 'pb-high'), getJson('priorityclass', 'js-high')]);
  t.deepEqual(fields(a), fields(b));
  t.like(a, { value: 1000, description: 'for tests', preemptionPolicy: 'Never' });
});

test.serial('kubectl create job --from=cronjob (protobuf) carries a pod template across the Pod schema', async (t) => {
  // The CronJob goes in as JSON; kubectl reads it back and sends its template in a protobuf Job.
  const cronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'rich', namespace: 'pb' },
    spec: { schedule: '0 0 1 1 *', suspend: true, jobTemplate: { spec: { backoffLimit: 0, template: { metadata: { labels: { run: 'p', tier: '' } }, spec: { ...podSpec, restartPolicy: 'Never' } } } } },
  };
  const file = join(scratch, 'rich.json');
  writeFileSync(file, JSON.stringify(cronJob));
  const created = await kubectl('create', '-f', file);
  t.is(created.code, 0, created.stderr);
  const r = await kubectl('-n', 'pb', '-v=8', 'create', 'job', 'from-rich', '--from=cronjob/rich');
  t.is(r.code, 0, r.stderr.split('\n').filter((l) => !l.startsWith('I')).join('\n'));
  t.regex(r.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
  const [job, source] = await Promise.all([getJson('-n', 'pb', 'job', 'from-rich'), getJson('-n', 'pb', 'cronjob', 'rich')]);
  // The JSON path stores a zero it was given (`value: ""`, `hostPort: 0`); protobuf cannot tell a
  // non-pointer zero from an absent field, nor does Kubernetes, whose stored objects omit both. The
  // zeros that matter, of pointer fields and inside maps and lists, are checked one by one below.
  t.deepEqual(withoutZeros(job.spec.template.spec), withoutZeros(source.spec.jobTemplate.spec.template.spec));
  t.is(job.spec.template.metadata.labels.tier, '');
  // The pointer zeros went through, and the non-pointer zeros did not turn into values.
  const spec = job.spec.template.spec;
  t.is(spec.terminationGracePeriodSeconds, 0);
  t.is(spec.automountServiceAccountToken, false);
  t.is(spec.tolerations[0].tolerationSeconds, 0);
  t.is(spec.containers[0].readinessProbe.httpGet.port, 'http');
  t.is(spec.containers[0].resources.requests.cpu, '250m');
  t.deepEqual(spec.containers[0].env[1], { name: 'EMPTY' });
  t.is(spec.volumes[2].secret.defaultMode, 0);
  t.is(spec.securityContext.runAsGroup, 0);
  t.deepEqual(spec.securityContext.supplementalGroups, [3000, 0]);
  t.is(spec.nodeSelector.empty, '');
  t.is(spec.priority, 0);
});

test.serial('kubectl run and kubectl expose (JSON)', async (t) => {
  const r = await kubectl('-n', 'js', 'run', 'sleeper', '--image=busybox', '--restart=Never', '--labels=app=sleeper', '--port=8080', '--', 'sleep', '60');
  t.is(r.code, 0, r.stderr);
  const pod = await getJson('-n', 'js', 'pod', 'sleeper');
  t.deepEqual(pod.spec.containers[0].args, ['sleep', '60']);
  t.is(pod.spec.restartPolicy, 'Never');
  const e = await kubectl('-n', 'js', 'expose', 'pod', 'sleeper', '--port=80', '--target-port=8080', '--name=sleeper-svc');
  t.is(e.code, 0, e.stderr);
  const svc = await getJson('-n', 'js', 'service', 'sleeper-svc');
  t.deepEqual(svc.spec.selector, { app: 'sleeper' });
  t.like(svc.spec.ports[0], { port: 80, targetPort: 8080, protocol: 'TCP' });
});

test.serial('kubectl create and apply of a kind: List, and apply of `kubectl get -o json` output (an empty /openapi/v2 lets kubectl through; the server validates each item)', async (t) => {
  const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  const cm = (name: string, extra: Obj = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'js' }, data: { k: name }, ...extra });
  const file = join(scratch, 'list.json');
  writeFileSync(file, list([cm('list-a'), cm('list-b')]));
  const created = await kubectl('create', '-f', file);
  t.is(created.code, 0, created.stderr);
  t.regex(created.stdout, /configmap\/list-a created\nconfigmap\/list-b created/);
  const backup = await kubectl('-n', 'js', 'get', 'configmap', 'list-a', 'list-b', '-o', 'json');
  t.is(JSON.parse(backup.stdout).kind, 'List');
  t.is((await kubectl('-n', 'js', 'delete', 'configmap', 'list-a', 'list-b')).code, 0);
  writeFileSync(file, backup.stdout);
  const restored = await kubectl('apply', '-f', file);
  t.is(restored.code, 0, restored.stderr);
  t.is((await getJson('-n', 'js', 'configmap', 'list-b')).data.k, 'list-b');
  // An unknown field in an item is still refused, by the server.
  writeFileSync(file, list([cm('list-c', { bogus: 1 })]));
  const bad = await kubectl('create', '-f', file);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /unknown field "bogus"/);
});

test.serial('a protobuf body with a field this server does not know is a 400 naming the field', async (t) => {
  // A ConfigMap (raw: metadata {name "x"}) with an extra field 99 — what a newer client might send.
  const raw = Buffer.concat([Buffer.from([0x0a, 0x03, 0x0a, 0x01, 0x78]), Buffer.from([0x98, 0x06, 0x01])]);
  const typeMeta = Buffer.concat([Buffer.from([0x0a, 0x02]), Buffer.from('v1'), Buffer.from([0x12, 0x09]), Buffer.from('ConfigMap')]);
  const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, typeMeta.length]), typeMeta, Buffer.from([0x12, raw.length]), raw]);
  const res = await fetch(`${srv.url}/api/v1/namespaces/pb/configmaps`, { method: 'POST', headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body });
  t.is(res.status, 400);
  const status = (await res.json()) as Obj;
  t.is(status.kind, 'Status');
  t.regex(status.message, /field 99 of core\.v1\.ConfigMap/);
  t.is((await kubectl('-n', 'pb', 'get', 'configmap', 'x')).code, 1, 'nothing was stored');
  // A kind Skiff has no protobuf table for is a 415 that says to send JSON.
  const other = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, 0x0f, 0x0a, 0x02]), Buffer.from('v1'), Buffer.from([0x12, 0x09]), Buffer.from('Endpoints'), Buffer.from([0x12, 0x00])]);
  const res2 = await fetch(`${srv.url}/api/v1/namespaces/pb/endpoints`, { method: 'POST', headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: other });
  t.is(res2.status, 415);
  t.regex(((await res2.json()) as Obj).message, /send JSON/);
  // A kind Skiff does not serve at all is a 404, in protobuf as in JSON.
  const quota = await kubectl('-n', 'pb', 'create', 'quota', 'q', '--hard=pods=3');
  t.not(quota.code, 0);
  t.regex(quota.stderr, /the server could not find the requested resource/);
});

test.serial('kubectl drain cordons the node and evicts its pods (Eviction bodies are protobuf)', async (t) => {
  const file = join(scratch, 'drain.json');
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'pb-node' }, status: { capacity: { cpu: '2', memory: '1Gi', pods: '10' }, allocatable: { cpu: '2', memory: '1Gi', pods: '10' } } };
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-node', namespace: 'pb' }, spec: { nodeName: 'pb-node', containers: [{ name: 'c', image: 'busybox' }] } };
  writeFileSync(file, `${JSON.stringify(node)}\n${JSON.stringify(pod)}\n`);
  t.is((await kubectl('create', '-f', file)).code, 0);
  const r = await kubectl('drain', 'pb-node', '--force', '--grace-period=0', '--timeout=60s', '-v=8');
  t.is(r.code, 0, r.stderr.split('\n').filter((l) => !l.startsWith('I')).join('\n'));
  t.regex(r.stderr, /POST http:\/\/[^ ]+\/api\/v1\/namespaces\/pb\/pods\/on-node\/eviction/);
  t.regex(r.stdout, /pod\/on-node evicted/);
  t.is((await kubectl('-n', 'pb', 'get', 'pod', 'on-node')).code, 1, 'the pod is gone');
  t.true((await getJson('node', 'pb-node')).spec.unschedulable);
});
