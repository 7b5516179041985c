// Tests of the apps/v1 kinds: Deployment, ReplicaSet, DaemonSet.
import test from 'ava';
import { newPodTemplate } from '../core/pod-builders.js';
import type { KubeObject } from '../meta.js';
import { structuralErrors } from '../schema.js';
import { kindFor } from '../scheme.js';
import { daemonSetKind, type DaemonSet } from './daemonset.js';
import { deploymentKind, type Deployment } from './deployment.js';
import { replicaSetKind, type ReplicaSet } from './replicaset.js';

function newDeployment(spec: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: newPodTemplate(), ...spec },
  };
}

function newReplicaSet(spec: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-5d4f8', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: newPodTemplate(), ...spec },
  };
}

function newDaemonSet(spec: Partial<DaemonSet['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: newPodTemplate(), ...spec },
  };
}

test('apps kinds are registered with scale where Kubernetes has it', (t) => {
  t.is(kindFor('apps/v1', 'Deployment'), deploymentKind);
  t.is(kindFor('apps/v1', 'ReplicaSet'), replicaSetKind);
  t.is(kindFor('apps/v1', 'DaemonSet'), daemonSetKind);
  t.true(deploymentKind.subresources.includes('scale'));
  t.false(daemonSetKind.subresources.includes('scale'));
});

test('Deployment defaults', (t) => {
  const d = newDeployment();
  deploymentKind.defaults(d);
  t.is(d.spec.replicas, 1);
  t.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  t.is(d.spec.revisionHistoryLimit, 10);
  t.is(d.spec.progressDeadlineSeconds, 600);
  const pod = d.spec.template.spec;
  t.is(pod.restartPolicy, 'Always');
  t.is(pod.dnsPolicy, 'ClusterFirst');
  t.is(pod.schedulerName, 'default-scheduler');
  t.is(pod.terminationGracePeriodSeconds, 30);
  t.deepEqual(pod.securityContext, {});
  t.is(pod.containers[0].imagePullPolicy, 'IfNotPresent');
  t.is(pod.enableServiceLinks, undefined, 'pod-level defaults are not applied to templates');
});

test('Deployment Recreate gets no rollingUpdate', (t) => {
  const d = newDeployment({ strategy: { type: 'Recreate' } });
  deploymentKind.defaults(d);
  t.deepEqual(d.spec.strategy, { type: 'Recreate' });
  t.deepEqual(deploymentKind.validate(d), []);
});

test('ReplicaSet and DaemonSet defaults', (t) => {
  const rs = newReplicaSet();
  replicaSetKind.defaults(rs);
  t.is(rs.spec.replicas, 1);
  t.is(rs.spec.template!.spec.restartPolicy, 'Always');
  const ds = newDaemonSet();
  daemonSetKind.defaults(ds);
  t.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  t.is(ds.spec.revisionHistoryLimit, 10);
});

type Case = { name: string; obj: () => KubeObject; fields: string[] };
const cases: { kind: typeof deploymentKind; cases: Case[] }[] = [
  {
    kind: deploymentKind,
    cases: [
      { name: 'valid', obj: () => newDeployment(), fields: [] },
      { name: 'negative replicas', obj: () => newDeployment({ replicas: -1 }), fields: ['spec.replicas'] },
      { name: 'missing selector', obj: () => newDeployment({ selector: undefined }), fields: ['spec.selector'] },
      { name: 'empty selector', obj: () => newDeployment({ selector: {} }), fields: ['spec.selector'] },
      { name: 'selector does not match template', obj: () => newDeployment({ selector: { matchLabels: { app: 'db' } } }), fields: ['spec.template.metadata.labels'] },
      { name: 'missing image', obj: () => newDeployment({ template: newPodTemplate({ app: 'web' }, { containers: [{ name: 'app' }] }) }), fields: ['spec.template.spec.containers[0].image'] },
      { name: 'restartPolicy Never', obj: () => newDeployment({ template: newPodTemplate({ app: 'web' }, { restartPolicy: 'Never' }) }), fields: ['spec.template.spec.restartPolicy'] },
      { name: 'bad strategy type', obj: () => newDeployment({ strategy: { type: 'BlueGreen' as never } }), fields: ['spec.strategy.type'] },
      { name: 'maxUnavailable over 100%', obj: () => newDeployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } } }), fields: ['spec.strategy.rollingUpdate.maxUnavailable'] },
      { name: 'maxSurge not a percent', obj: () => newDeployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots' } } }), fields: ['spec.strategy.rollingUpdate.maxSurge'] },
      { name: 'both zero', obj: () => newDeployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }), fields: ['spec.strategy.rollingUpdate.maxUnavailable'] },
      { name: 'rollingUpdate with Recreate', obj: () => newDeployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }), fields: ['spec.strategy.rollingUpdate'] },
      { name: 'progress deadline not above minReady', obj: () => newDeployment({ minReadySeconds: 700 }), fields: ['spec.progressDeadlineSeconds'] },
    ],
  },
  {
    kind: replicaSetKind,
    cases: [
      { name: 'valid', obj: () => newReplicaSet(), fields: [] },
      { name: 'negative replicas', obj: () => newReplicaSet({ replicas: -2 }), fields: ['spec.replicas'] },
      { name: 'selector mismatch via expression', obj: () => newReplicaSet({ selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } }), fields: ['spec.template.metadata.labels'] },
      { name: 'missing template', obj: () => newReplicaSet({ template: undefined }), fields: ['spec.template'] },
      { name: 'activeDeadlineSeconds unsupported', obj: () => newReplicaSet({ template: newPodTemplate({ app: 'web' }, { activeDeadlineSeconds: 5 }) }), fields: ['spec.template.spec.activeDeadlineSeconds'] },
    ],
  },
  {
    kind: daemonSetKind,
    cases: [
      { name: 'valid', obj: () => newDaemonSet(), fields: [] },
      { name: 'bad update strategy', obj: () => newDaemonSet({ updateStrategy: { type: 'Always' as never } }), fields: ['spec.updateStrategy.type'] },
      { name: 'selector mismatch', obj: () => newDaemonSet({ selector: { matchLabels: { app: 'agent' } } }), fields: ['spec.template.metadata.labels'] },
      { name: 'both zero', obj: () => newDaemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } }), fields: ['spec.updateStrategy.rollingUpdate.maxUnavailable'] },
    ],
  },
];
for (const { kind, cases: list } of cases) {
  for (const c of list) {
    test(`${kind.kind} validation: ${c.name}`, (t) => {
      const obj = c.obj();
      t.deepEqual(structuralErrors(kind.schema, obj), []);
      kind.defaults(obj);
      const errs = kind.validate(obj);
      t.deepEqual(errs.map((e) => e.field), c.fields, JSON.stringify(errs));
    });
  }
}

for (const [kind, build] of [[deploymentKind, newDeployment], [replicaSetKind, newReplicaSet], [daemonSetKind, newDaemonSet]] as const) {
  test(`${kind.kind} selector is immutable, template is not`, (t) => {
    const old = build();
    kind.defaults(old);
    const next = structuredClone(old) as any;
    next.spec.template.spec.containers[0].image = 'registry.local/app:2';
    t.deepEqual(kind.validateUpdate!(next, old), []);
    next.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
    t.deepEqual(kind.validateUpdate!(next, old).map((e) => e.field), ['spec.selector']);
  });
}

test('Deployment schema rejects unknown fields in the template', (t) => {
  const d = newDeployment() as any;
  d.spec.template.spec.containers[0].imagePolicy = 'Always';
  d.spec.replica = 3;
  t.deepEqual(structuralErrors(deploymentKind.schema, d).map((e) => e.field).sort(), ['spec.replica', 'spec.template.spec.containers[0].imagePolicy']);
});

test('ReplicaSet selectable fields', (t) => {
  const rs = newReplicaSet();
  rs.status = { replicas: 3 };
  t.deepEqual(replicaSetKind.selectableFields!(rs), { 'status.replicas': '3' });
});
