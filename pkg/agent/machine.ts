// machine.ts: facts about the host the Node object reports: CPUs, memory, ids, kernel, OS,
// addresses, and the pressure signals (free memory, free disk, process count).
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';

/** MachineInfo is what the node status is built from. */
export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  machineID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  hostname: string;
}

/** Pressure is a snapshot of the resources eviction and conditions look at. */
export interface Pressure {
  memoryAvailableBytes: number;
  diskAvailableBytes: number;
  diskCapacityBytes: number;
  pids: number;
  pidMax: number;
}

const read = (f: string) => readFile(f, 'utf8').then((s) => s.trim(), () => '');

/** goArch maps Node's arch names to Kubernetes' (GOARCH). */
export function goArch(arch = os.arch()): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

/** readMachineInfo reads the host's facts. */
export async function readMachineInfo(): Promise<MachineInfo> {
  const osRelease = await read('/etc/os-release');
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? 'Linux';
  return {
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    memoryBytes: os.totalmem(),
    machineID: (await read('/etc/machine-id')) || (await read('/var/lib/dbus/machine-id')),
    bootID: await read('/proc/sys/kernel/random/boot_id'),
    kernelVersion: os.release(),
    osImage: pretty,
    architecture: goArch(),
    hostname: os.hostname(),
  };
}

/** readPressure samples memory (MemAvailable), the disk holding dir, and the process count. */
export async function readPressure(dir: string): Promise<Pressure> {
  const meminfo = await read('/proc/meminfo');
  const avail = Number(/^MemAvailable:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0) * 1024;
  const fs = await statfs(dir).catch(() => undefined);
  const loadavg = await read('/proc/loadavg');
  const pids = Number(loadavg.split(' ')[3]?.split('/')[1] ?? 0);
  return {
    memoryAvailableBytes: avail || os.freemem(),
    diskAvailableBytes: fs ? fs.bavail * fs.bsize : 0,
    diskCapacityBytes: fs ? fs.blocks * fs.bsize : 0,
    pids,
    pidMax: Number(await read('/proc/sys/kernel/pid_max')) || 32768,
  };
}

/** defaultNodeIP picks the first non-internal IPv4 address, else 127.0.0.1. */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
