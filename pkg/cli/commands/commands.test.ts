import test from 'ava';
import { UserError } from '../io.js';
import { JsonPath } from '../printers/jsonpath.js';
import { daemonSetStatus, deploymentStatus } from '../rollout/status.js';
import { containerName, generate } from './create.js';
import { propagationOf } from './delete.js';
import { metadataPatch, parseMetadataArgs } from './label.js';
import { runPod } from './run.js';
import { conditionMet, parseWaitFor } from './wait.js';

test('label arguments and patches', (t) => {
  const { resources, change } = parseMetadataArgs(['deploy', 'web', 'a=1', 'b-']);
  t.deepEqual(resources, ['deploy', 'web']);
  t.deepEqual(change, { set: { a: '1' }, remove: ['b'] });
  const obj = { metadata: { labels: { a: '0', b: 'x' } } };
  t.throws(() => metadataPatch(obj, 'labels', change, false), { instanceOf: UserError, message: "'a' already has a value (0), and --overwrite is false" });
  t.deepEqual(metadataPatch(obj, 'labels', change, true), { metadata: { labels: { a: '1', b: null } } });
  t.is(metadataPatch({ metadata: { labels: { a: '1' } } }, 'labels', change, false), undefined, 'nothing to change');
  t.throws(() => parseMetadataArgs(['deploy', 'web']), { instanceOf: UserError });
});

test('rollout status messages follow kubectl', (t) => {
  const d = (status: object, generation = 1) => ({ metadata: { name: 'web', generation }, spec: { replicas: 3 }, status: { observedGeneration: 1, ...status } });
  const cases = [
    { name: 'not observed', obj: d({}, 2), want: 'Waiting for deployment spec update to be observed...\n' },
    { name: 'updating', obj: d({ updatedReplicas: 1, replicas: 3 }), want: 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...\n' },
    { name: 'old pending', obj: d({ updatedReplicas: 3, replicas: 4 }), want: 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...\n' },
    { name: 'available', obj: d({ updatedReplicas: 3, replicas: 3, availableReplicas: 2 }), want: 'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...\n' },
    { name: 'done', obj: d({ updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), want: 'deployment "web" successfully rolled out\n' },
  ];
  for (const c of cases) t.is(deploymentStatus(c.obj).message, c.want, c.name);
  t.true(deploymentStatus(d({ conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] })).failed);
  t.true(daemonSetStatus({ metadata: { name: 'ds', generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 } }).done);
});

test('wait --for parsing and matching', (t) => {
  const obj = { metadata: {}, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
  t.true(conditionMet(obj, parseWaitFor('condition=ready')));
  t.false(conditionMet(obj, parseWaitFor('condition=Ready=false')));
  t.true(conditionMet(obj, parseWaitFor('jsonpath={.status.phase}=Running')));
  t.deepEqual(parseWaitFor('delete'), { kind: 'delete' });
  t.throws(() => parseWaitFor('ready'), { instanceOf: UserError });
  t.true(parseWaitFor('jsonpath={.status.phase}') .kind === 'jsonpath' && (parseWaitFor('jsonpath={.status.phase}') as { path: JsonPath }).path instanceof JsonPath);
});

test('generators and run build the objects kubectl would', (t) => {
  t.deepEqual(generate('configmap', ['cm'], { 'from-literal': ['a=1', 'b=x=y'] }, '/'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1', b: 'x=y' } });
  t.deepEqual((generate('secret', ['generic', 's'], { 'from-literal': ['p=hunter2'] }, '/') as unknown as { data: object }).data, { p: Buffer.from('hunter2').toString('base64') });
  const dep = generate('deployment', ['api'], { image: ['registry.local:5000/team/api:1.2'], replicas: '3' }, '/') as any;
  t.is(dep.spec.replicas, 3);
  t.deepEqual(dep.spec.template.spec.containers, [{ name: 'api', image: 'registry.local:5000/team/api:1.2' }]);
  t.is(containerName('busybox@sha256:abc'), 'busybox');
  const pod = runPod('one', { image: 'busybox', restart: 'Never', stdin: true, tty: true, env: ['A=1'] }, ['sh', '-c', 'echo hi']) as any;
  t.deepEqual(pod.spec.containers[0], { name: 'one', image: 'busybox', args: ['sh', '-c', 'echo hi'], env: [{ name: 'A', value: '1' }], stdin: true, stdinOnce: true, tty: true });
  t.is(pod.spec.restartPolicy, 'Never');
  t.deepEqual(pod.metadata.labels, { run: 'one' });
  t.deepEqual((runPod('c', { image: 'i', command: true }, ['/bin/true']) as any).spec.containers[0].command, ['/bin/true']);
  t.throws(() => runPod('x', { image: 'i', restart: 'Sometimes' }, []), { instanceOf: UserError });
});

test('--cascade maps to propagation policies', (t) => {
  t.is(propagationOf(undefined), 'Background');
  t.is(propagationOf('foreground'), 'Foreground');
  t.is(propagationOf('orphan'), 'Orphan');
  t.is(propagationOf('false'), 'Orphan');
  t.throws(() => propagationOf('maybe'), { instanceOf: UserError });
});
