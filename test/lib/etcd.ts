// etcd.ts: test harness that gives a test file its own real etcd on a free loopback port
// with a temp data dir, removed after (also on failure).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type EtcdProcess } from '../../pkg/apiserver/etcdprocess.js';

/** TestEtcd is an etcd started for one test file. */
export interface TestEtcd {
  endpoint: string;
  dataDir: string;
  /** current is the running process (changes after restart). */
  current(): EtcdProcess;
  /** kill sends SIGKILL to etcd. */
  kill(): Promise<void>;
  /** restart starts etcd again on the same data dir and client port (after kill). */
  restart(): Promise<void>;
  /** cleanup stops etcd and removes the data dir. */
  cleanup(): Promise<void>;
}

/** startTestEtcd starts an etcd in a fresh skifftest-etcd-* temp dir. */
export async function startTestEtcd(): Promise<TestEtcd> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skifftest-etcd-'));
  let proc = await startEtcd({ dataDir });
  const { clientPort, peerPort } = proc;
  return {
    endpoint: proc.endpoint,
    dataDir,
    current: () => proc,
    kill: () => proc.kill(),
    async restart() {
      await proc.stop();
      proc = await startEtcd({ dataDir, clientPort, peerPort });
    },
    async cleanup() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
