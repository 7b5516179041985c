// etcdprocess.ts: runs and supervises a local etcd (Debian's etcd-server) for `skiff server`
// and for the integration-test harness.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, listensOn, PortTaken } from '../util/ports.js';

/** EtcdProcess is a running etcd member with its client endpoint. */
export interface EtcdProcess {
  endpoint: string;
  clientPort: number;
  peerPort: number;
  pid: number;
  dataDir: string;
  /** stop sends SIGTERM (SIGKILL after 5 s) and waits for the exit. */
  stop(): Promise<void>;
  /** kill sends SIGKILL (crash tests). */
  kill(): Promise<void>;
  /** exited resolves when the process ends. */
  exited: Promise<number | null>;
}

/** EtcdOptions configures startEtcd. */
export interface EtcdOptions {
  dataDir: string;
  clientPort?: number;
  peerPort?: number;
  binary?: string;
  /** logFile receives etcd's output; default DIR/etcd.log. */
  logFile?: string;
  /** quotaBackendBytes raises etcd's 2 GiB default if set. */
  quotaBackendBytes?: number;
}

/**
 * killOrphan ends an etcd left running on this data dir by an earlier server that was killed
 * (kill -9 leaves its children behind): the PID from etcd.pid, only if that process is still an
 * etcd serving this very data dir. Without this the new etcd could not take the data dir's lock.
 */
export async function killOrphan(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'etcd.pid'), 'utf8').trim());
  } catch {
    return;
  }
  if (!(pid > 0)) return;
  const isOurs = () => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv.includes(join(dataDir, 'member-data'));
    } catch {
      return false;
    }
  };
  if (!isOurs()) return;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && isOurs(); i++) await new Promise((r) => setTimeout(r, 50));
}

/**
 * startEtcd starts etcd on loopback and resolves once it answers /health. Ports not given are picked free; if another process
 * takes one before etcd binds it, new ports are picked (a few times).
 */
export async function startEtcd(opts: EtcdOptions): Promise<EtcdProcess> {
  mkdirSync(opts.dataDir, { recursive: true });
  await killOrphan(opts.dataDir);
  for (let attempt = 0; ; attempt++) {
    const clientPort = opts.clientPort ?? (await freePort());
    const peerPort = opts.peerPort ?? (await freePort());
    try {
      return await startEtcdOn(opts, clientPort, peerPort);
    } catch (err) {
      const picked = opts.clientPort === undefined && opts.peerPort === undefined;
      if (!(err instanceof PortTaken) || !picked || attempt >= 4) throw err;
    }
  }
}

async function startEtcdOn(opts: EtcdOptions, clientPort: number, peerPort: number): Promise<EtcdProcess> {
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const logPath = opts.logFile ?? join(opts.dataDir, 'etcd.log');
  const logFd = openSync(logPath, 'a');
  const logStart = fstatSync(logFd).size;
  const args = [
    '--name', 'skiff',
    '--data-dir', join(opts.dataDir, 'member-data'),
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `skiff=${peer}`,
    '--initial-cluster-state', 'new',
    '--auto-compaction-mode', 'periodic',
    '--auto-compaction-retention', '5m',
    '--log-level', 'warn',
    '--logger', 'zap',
  ];
  if (opts.quotaBackendBytes) args.push('--quota-backend-bytes', String(opts.quotaBackendBytes));
  const child: ChildProcess = spawn(opts.binary ?? 'etcd', args, {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.env.ETCD_UNSUPPORTED_ARCH ?? '' },
  });
  closeSync(logFd);
  if (child.pid) writeFileSync(join(opts.dataDir, 'etcd.pid'), `${child.pid}\n`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => { dead = true; });
  const deadline = Date.now() + 20_000;
  while (true) {
    if (dead) {
      const log = readFileSync(logPath).subarray(logStart).toString('utf8');
      if (log.includes('address already in use')) throw new PortTaken(`etcd: port ${clientPort} or ${peerPort} in use`);
      throw new Error(`etcd exited during start-up; see ${logPath}`);
    }
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.ok && child.pid && listensOn(child.pid, clientPort)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('etcd did not become healthy within 20 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const waitExit = async (signal: NodeJS.Signals, graceMs: number) => {
    if (dead) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    endpoint,
    clientPort,
    peerPort,
    pid: child.pid ?? 0,
    dataDir: opts.dataDir,
    exited,
    stop: () => waitExit('SIGTERM', 5000),
    kill: () => waitExit('SIGKILL', 1000),
  };
}
