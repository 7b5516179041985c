// apiserver.ts: test harnesses for the API server — in-process (fast, for most tests) and as a
// real `skiff server` child process (for kill -9 and kubectl tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestFn } from 'ava';
import pino from 'pino';
import '../../pkg/api/index.js';
import { killOrphan } from '../../pkg/apiserver/etcdprocess.js';
import { ApiServer } from '../../pkg/apiserver/server.js';
import { RestClient, type RestConfig } from '../../pkg/client/rest.js';
import { SYSTEM_NAMESPACES } from '../../pkg/server/server.js';
import { freePort, listensOn, PortTaken } from '../../pkg/util/ports.js';
import { startTestEtcd, type TestEtcd } from './etcd.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** TestApiServer is an in-process API server over its own etcd. */
export interface TestApiServer {
  url: string;
  api: ApiServer;
  etcd: TestEtcd;
  cleanup(): Promise<void>;
}

/** startTestApiServer starts etcd and an in-process API server with the system namespaces. */
export async function startTestApiServer(opts: { watchCacheCapacity?: number; bookmarkIntervalMs?: number } = {}): Promise<TestApiServer> {
  const etcd = await startTestEtcd();
  const api = new ApiServer({ etcdEndpoints: [etcd.endpoint], logger: pino({ level: process.env.SKIFF_TEST_LOG ?? 'silent' }), ...opts });
  const url = await api.listen('127.0.0.1', 0);
  for (const name of SYSTEM_NAMESPACES) {
    await api.store('namespaces')!.create(undefined, { metadata: { name } }, { dryRun: false, fieldValidation: 'Strict', warnings: [] });
  }
  return {
    url,
    api,
    etcd,
    async cleanup() {
      await api.close().catch(() => undefined);
      await etcd.cleanup();
    },
  };
}

/** ApiServerFixture is what useTestApiServer returns: both fields are set once its before hook ran. */
export interface ApiServerFixture {
  srv: TestApiServer;
  client: RestClient;
}

/** useTestApiServer registers serial hooks that start an API server and a RestClient on it before the file's tests and close both after them. */
export function useTestApiServer<C>(test: TestFn<C>, opts: { server?: Parameters<typeof startTestApiServer>[0]; client?: Omit<RestConfig, 'server'> } = {}): ApiServerFixture {
  const fixture = {} as ApiServerFixture;
  test.serial.before('start the API server', async () => {
    fixture.srv = await startTestApiServer(opts.server);
    fixture.client = new RestClient({ ...opts.client, server: fixture.srv.url });
  });
  test.serial.after.always('stop the API server', async () => {
    fixture.client?.close();
    await fixture.srv?.cleanup();
  });
  return fixture;
}

/** ServerProcess is a `skiff server` child process with its own data dir. */
export interface ServerProcess {
  url: string;
  dataDir: string;
  kubeconfig: string;
  child: ChildProcess;
  /** kill9 sends SIGKILL to the server (its etcd keeps running when external). */
  kill9(): Promise<void>;
  /** stop sends SIGTERM and waits. */
  stop(): Promise<void>;
  logs(): string;
}

/**
 * startServerProcess runs `skiff server` from source (through tsx) and waits for /readyz from that very process. A port it
 * picks may be taken by another process before the server binds it; then it starts again on another (a few times).
 */
export async function startServerProcess(opts: { dataDir?: string; port?: number; etcdEndpoints?: string } = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'skifftest-server-'));
  for (let attempt = 0; ; attempt++) {
    try {
      return await startServerOn(dataDir, opts.port ?? (await freePort()), opts.etcdEndpoints);
    } catch (err) {
      if (!(err instanceof PortTaken) || opts.port !== undefined || attempt >= 4) throw err;
    }
  }
}

async function startServerOn(dataDir: string, port: number, etcdEndpoints?: string): Promise<ServerProcess> {
  const logFile = join(dataDir, 'server.log');
  const fd = openSync(logFile, 'a');
  const logStart = fstatSync(fd).size;
  // SKIFF_TEST_SERVER_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.SKIFF_TEST_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, '--import', 'tsx', join(REPO_ROOT, 'cmd/skiff/main.ts'), 'server', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--disable-agent'];
  if (etcdEndpoints) args.push('--etcd-endpoints', etcdEndpoints);
  const child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], cwd: REPO_ROOT });
  closeSync(fd);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let up = false;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok && child.pid && listensOn(child.pid, port)) {
        up = true;
        break;
      }
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!up) {
    child.kill('SIGKILL');
    await exited;
    await killOrphan(join(dataDir, 'etcd'));
    if (readFileSync(logFile).subarray(logStart).includes('EADDRINUSE')) throw new PortTaken(`port ${port} in use`);
    throw new Error(`skiff server did not become ready:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
  }
  return {
    url,
    dataDir,
    kubeconfig: join(dataDir, 'kubeconfig.yaml'),
    child,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
    },
    logs: () => readFileSync(logFile, 'utf8'),
  };
}

/** removeDir deletes a server's test data dir (no mounts live in API server dirs), after ending an etcd a killed server left. */
export async function removeDir(dir: string): Promise<void> {
  await killOrphan(join(dir, 'etcd'));
  rmSync(dir, { recursive: true, force: true });
}
