import test from 'ava';
import type { KubeObject } from '../api/meta.js';
import {
  ControllerUIDIndex,
  indexByControllerUID,
  indexByNamespace,
  indexByNodeName,
  indexByOwnerUID,
  NamespaceIndex,
  NodeNameIndex,
  OwnerUIDIndex,
} from './indexers.js';
import { Lister } from './lister.js';
import { DeletedFinalStateUnknown, Store } from './store.js';
import { controllerRef, newPod } from './testing/builders.js';

function podStore(): Store<KubeObject> {
  return new Store<KubeObject>({
    [NamespaceIndex]: indexByNamespace,
    [NodeNameIndex]: indexByNodeName,
    [ControllerUIDIndex]: indexByControllerUID,
    [OwnerUIDIndex]: indexByOwnerUID,
  });
}

const names = (objs: KubeObject[]): string[] => objs.map((o) => o.metadata.name ?? '').sort();

test('add, update and delete keep every index in step', (t) => {
  const s = podStore();
  s.add(newPod('a', { namespace: 'n1', nodeName: 'node-1', owner: controllerRef('rs-1') }));
  s.add(newPod('b', { namespace: 'n1' }));
  s.add(newPod('c', { namespace: 'n2', nodeName: 'node-1' }));
  t.deepEqual(names(s.byIndex(NamespaceIndex, 'n1')), ['a', 'b']);
  t.deepEqual(names(s.byIndex(NodeNameIndex, 'node-1')), ['a', 'c']);
  t.deepEqual(names(s.byIndex(ControllerUIDIndex, 'rs-1')), ['a']);

  // rescheduling a moves it between node buckets; the old value disappears
  const old = s.update(newPod('a', { namespace: 'n1', nodeName: 'node-2' }));
  t.is((old?.spec as { nodeName: string }).nodeName, 'node-1');
  t.deepEqual(names(s.byIndex(NodeNameIndex, 'node-1')), ['c']);
  t.deepEqual(names(s.byIndex(NodeNameIndex, 'node-2')), ['a']);
  t.deepEqual(s.byIndex(ControllerUIDIndex, 'rs-1'), []);
  t.deepEqual(s.indexValues(NodeNameIndex).sort(), ['node-1', 'node-2']);

  s.delete(newPod('c', { namespace: 'n2' }));
  t.deepEqual(s.byIndex(NamespaceIndex, 'n2'), []);
  t.is(s.size, 2);
  t.deepEqual(s.listKeys().sort(), ['n1/a', 'n1/b']);
  t.throws(() => s.byIndex('nope', 'x'), { message: /index "nope" does not exist/ });
});

test('owner index files objects under every owner, controller index only the controller', (t) => {
  const s = podStore();
  const pod = newPod('p', { owner: { ...controllerRef('ctl'), controller: false } });
  pod.metadata.ownerReferences?.push(controllerRef('real-ctl'));
  s.add(pod);
  t.deepEqual(names(s.byIndex(OwnerUIDIndex, 'ctl')), ['p']);
  t.deepEqual(names(s.byIndex(OwnerUIDIndex, 'real-ctl')), ['p']);
  t.deepEqual(s.byIndex(ControllerUIDIndex, 'ctl'), []);
  t.deepEqual(names(s.byIndex(ControllerUIDIndex, 'real-ctl')), ['p']);
});

test('replace reports added, updated and tombstones for vanished objects', (t) => {
  const s = podStore();
  s.add(newPod('keep', { resourceVersion: '1' }));
  s.add(newPod('gone', { resourceVersion: '2', nodeName: 'n' }));
  const result = s.replace([newPod('keep', { resourceVersion: '5' }), newPod('new', { resourceVersion: '4' })], '9');
  t.deepEqual(names(result.added), ['new']);
  t.deepEqual(result.updated.map((u) => [u.oldObj.metadata.resourceVersion, u.newObj.metadata.resourceVersion]), [['1', '5']]);
  t.is(result.deleted.length, 1);
  t.true(result.deleted[0] instanceof DeletedFinalStateUnknown);
  t.is(result.deleted[0].key, 'default/gone');
  t.is(result.deleted[0].obj.metadata.name, 'gone');
  t.deepEqual(s.byIndex(NodeNameIndex, 'n'), []);
  t.is(s.resourceVersion, '9');
});

test('indexers added later index existing objects; redefining one is an error', (t) => {
  const s = new Store<KubeObject>();
  s.add(newPod('a', { nodeName: 'x' }));
  s.addIndexers({ [NodeNameIndex]: indexByNodeName });
  t.deepEqual(names(s.byIndex(NodeNameIndex, 'x')), ['a']);
  s.addIndexers({ [NodeNameIndex]: indexByNodeName }); // same function: fine
  t.throws(() => s.addIndexers({ [NodeNameIndex]: () => [] }));
});

test('lister gets by namespace/name, lists by namespace and selector, reads indexes', (t) => {
  const s = podStore();
  s.add(newPod('a', { namespace: 'n1', labels: { app: 'web' } }));
  s.add(newPod('b', { namespace: 'n1', labels: { app: 'db' } }));
  s.add(newPod('c', { namespace: 'n2', labels: { app: 'web' }, nodeName: 'node' }));
  s.add({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'cluster-scoped' } });
  const lister = new Lister(s);
  t.is(lister.get('n1', 'a')?.metadata.name, 'a');
  t.is(lister.get('n2', 'a'), undefined);
  t.is(lister.get(undefined, 'cluster-scoped')?.kind, 'Node');
  t.deepEqual(names(lister.list('n1')), ['a', 'b']);
  t.deepEqual(names(lister.list(undefined, 'app=web')), ['a', 'c']);
  t.deepEqual(names(lister.list('n2', { matchLabels: { app: 'web' } })), ['c']);
  t.deepEqual(names(lister.byIndex(NodeNameIndex, 'node')), ['c']);
  t.is(lister.list().length, 4);
});
