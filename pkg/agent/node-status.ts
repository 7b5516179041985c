// node-status.ts: the Node object the agent registers and the status it reports: capacity and
// allocatable (machine minus reserved), addresses, labels, node info, and the Ready and
// pressure conditions. Pure, so "did anything change" is a comparison.
import type { Node, NodeStatus } from '../api/core/node.js';
import type { Condition } from '../api/meta.js';
import type { MachineInfo, Pressure } from './machine.js';

/** NodeConfig is what the operator chose for this node. */
export interface NodeConfig {
  nodeName: string;
  nodeIP: string;
  port: number;
  labels?: Record<string, string>;
  maxPods?: number;
  /** reservedCpuMilli and reservedMemoryBytes are held back from allocatable. */
  reservedCpuMilli?: number;
  reservedMemoryBytes?: number;
  /** cpus / memoryBytes override what the machine reports (simulated nodes). */
  cpus?: number;
  memoryBytes?: number;
  /** thresholds of the pressure conditions. */
  memoryPressureBytes?: number;
  diskPressureFraction?: number;
  pidPressureFraction?: number;
}

/** AgentVersion is what the node reports as kubeletVersion. */
export const AgentVersion = 'v1.31.0-skiff.0.1.0';

/** nodeLabels are the well-known labels of the node. */
export function nodeLabels(cfg: NodeConfig, machine: MachineInfo): Record<string, string> {
  return {
    'kubernetes.io/hostname': cfg.nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': machine.architecture,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': machine.architecture,
    ...(cfg.labels ?? {}),
  };
}

function cond(type: string, ok: boolean, reason: string, message: string, old: Condition[] | undefined, nowIso: string): Condition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: nowIso,
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : nowIso,
  };
}

/** buildNodeStatus computes the status; runtimeReady false or a notReady message (e.g. "node is shutting down") makes the node NotReady. */
export function buildNodeStatus(
  cfg: NodeConfig,
  machine: MachineInfo,
  pressure: Pressure,
  runtime: { ready: boolean; version: string; message?: string },
  old: NodeStatus | undefined,
  nowIso: string,
  notReady?: string,
): NodeStatus {
  const cpus = cfg.cpus ?? machine.cpus;
  const mem = cfg.memoryBytes ?? machine.memoryBytes;
  const memKi = Math.floor(mem / 1024);
  const allocCpuMilli = Math.max(0, cpus * 1000 - (cfg.reservedCpuMilli ?? 0));
  const allocMemKi = Math.max(0, memKi - Math.floor((cfg.reservedMemoryBytes ?? 0) / 1024));
  const pods = String(cfg.maxPods ?? 110);
  const storageKi = Math.floor(pressure.diskCapacityBytes / 1024);
  const memPressure = pressure.memoryAvailableBytes < (cfg.memoryPressureBytes ?? 100 * 1024 * 1024);
  const diskPressure = pressure.diskCapacityBytes > 0 && pressure.diskAvailableBytes / pressure.diskCapacityBytes < (cfg.diskPressureFraction ?? 0.1);
  const pidPressure = pressure.pids / pressure.pidMax > (cfg.pidPressureFraction ?? 0.9);
  const oldConds = old?.conditions;
  return {
    capacity: { cpu: String(cpus), memory: `${memKi}Ki`, pods, 'ephemeral-storage': `${storageKi}Ki` },
    allocatable: { cpu: allocCpuMilli % 1000 === 0 ? String(allocCpuMilli / 1000) : `${allocCpuMilli}m`, memory: `${allocMemKi}Ki`, pods, 'ephemeral-storage': `${storageKi}Ki` },
    conditions: [
      cond('MemoryPressure', memPressure, memPressure ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory', memPressure ? 'kubelet has insufficient memory available' : 'kubelet has sufficient memory available', oldConds, nowIso),
      cond('DiskPressure', diskPressure, diskPressure ? 'KubeletHasDiskPressure' : 'KubeletHasNoDiskPressure', diskPressure ? 'kubelet has disk pressure' : 'kubelet has no disk pressure', oldConds, nowIso),
      cond('PIDPressure', pidPressure, pidPressure ? 'KubeletHasInsufficientPID' : 'KubeletHasSufficientPID', pidPressure ? 'kubelet has insufficient PID available' : 'kubelet has sufficient PID available', oldConds, nowIso),
      notReady !== undefined
        ? cond('Ready', false, 'KubeletNotReady', notReady, oldConds, nowIso)
        : cond('Ready', runtime.ready, runtime.ready ? 'KubeletReady' : 'KubeletNotReady', runtime.ready ? 'kubelet is posting ready status' : `container runtime is down: ${runtime.message ?? ''}`, oldConds, nowIso),
    ],
    addresses: [
      { type: 'InternalIP', address: cfg.nodeIP },
      { type: 'Hostname', address: cfg.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.port } },
    nodeInfo: {
      machineID: machine.machineID,
      systemUUID: machine.machineID,
      bootID: machine.bootID,
      kernelVersion: machine.kernelVersion,
      osImage: machine.osImage,
      containerRuntimeVersion: runtime.version,
      kubeletVersion: AgentVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: machine.architecture,
    },
  };
}

/** statusChanged compares two statuses ignoring heartbeat times. */
export function statusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined) =>
    JSON.stringify({ ...s, images: undefined, conditions: (s?.conditions ?? []).map((c) => ({ ...c, lastHeartbeatTime: undefined })) });
  return strip(a) !== strip(b);
}

/** newNode is the Node object to create at registration. */
export function newNode(cfg: NodeConfig, machine: MachineInfo, status: NodeStatus): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: cfg.nodeName, labels: nodeLabels(cfg, machine) }, spec: {}, status };
}
