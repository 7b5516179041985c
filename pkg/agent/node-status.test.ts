import test from 'ava';
import type { MachineInfo, Pressure } from './machine.js';
import { buildNodeStatus, statusChanged } from './node-status.js';

const machine: MachineInfo = { cpus: 4, memoryBytes: 8 * 1024 ** 3, machineID: 'm', bootID: 'b', kernelVersion: '6.1', osImage: 'Debian', architecture: 'amd64', hostname: 'h' };
const calm: Pressure = { memoryAvailableBytes: 4 * 1024 ** 3, diskAvailableBytes: 50, diskCapacityBytes: 100, pids: 100, pidMax: 32768 };
const cfg = { nodeName: 'node-a', nodeIP: '10.0.0.9', port: 10250, reservedCpuMilli: 500, reservedMemoryBytes: 512 * 1024 ** 2 };

test('capacity from the machine, allocatable minus reserved, addresses and endpoint', (t) => {
  const s = buildNodeStatus(cfg, machine, calm, { ready: true, version: 'skiff://0.1.0' }, undefined, '2024-01-01T00:00:00Z');
  t.deepEqual(s.capacity, { cpu: '4', memory: '8388608Ki', pods: '110', 'ephemeral-storage': '0Ki' });
  t.is(s.allocatable!.cpu, '3500m');
  t.is(s.allocatable!.memory, `${8388608 - 524288}Ki`);
  t.deepEqual(s.addresses, [{ type: 'InternalIP', address: '10.0.0.9' }, { type: 'Hostname', address: 'node-a' }]);
  t.is(s.daemonEndpoints!.kubeletEndpoint!.Port, 10250);
  t.deepEqual(s.conditions!.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
});

test('pressure and a dead runtime show in conditions; transitions keep their time until a change', (t) => {
  const a = buildNodeStatus(cfg, machine, calm, { ready: true, version: 'v' }, undefined, 'T1');
  const b = buildNodeStatus(cfg, machine, calm, { ready: true, version: 'v' }, a, 'T2');
  t.false(statusChanged(a, b), 'only heartbeats differ');
  t.is(b.conditions![3]!.lastTransitionTime, 'T1');
  const c = buildNodeStatus(cfg, machine, { ...calm, memoryAvailableBytes: 1, diskAvailableBytes: 1 }, { ready: false, version: 'v', message: 'gone' }, b, 'T3');
  t.true(statusChanged(b, c));
  t.deepEqual(c.conditions!.map((x) => `${x.type}=${x.status}`), ['MemoryPressure=True', 'DiskPressure=True', 'PIDPressure=False', 'Ready=False']);
  t.is(c.conditions![3]!.lastTransitionTime, 'T3');
  t.is(c.conditions![2]!.lastTransitionTime, 'T1');
});

test('a node shutdown makes the node NotReady (KubeletNotReady, "node is shutting down") even with a healthy runtime', (t) => {
  const a = buildNodeStatus(cfg, machine, calm, { ready: true, version: 'v' }, undefined, 'T1');
  const b = buildNodeStatus(cfg, machine, calm, { ready: true, version: 'v' }, a, 'T2', 'node is shutting down');
  t.true(statusChanged(a, b));
  t.like(b.conditions![3], { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'node is shutting down', lastTransitionTime: 'T2' });
});
