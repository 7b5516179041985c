// registry.ts: test harness that runs Debian's docker-registry (distribution v2.8) on a free
// loopback port with a skifftest-registry-* storage dir, stopped by PID and removed after.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** REGISTRY_BINARY is where Debian's docker-registry package installs the registry. */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** TestRegistry is a running registry for one test file. */
export interface TestRegistry {
  /** host is "127.0.0.1:PORT", usable in image references. */
  host: string;
  /** storageDir is the registry's filesystem storage root (tests may tamper with blobs in it). */
  storageDir: string;
  stop(): Promise<void>;
}

/** freeLoopbackPort asks the kernel for a free port on 127.0.0.1. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** startRegistry starts a registry and resolves once GET /v2/ answers. */
export async function startRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'skifftest-registry-'));
  try {
    for (let attempt = 0; ; attempt++) {
      const port = await freeLoopbackPort();
      try {
        return await launch(dir, port);
      } catch (err) {
        // The port can be taken between probing and binding; try another.
        if (attempt >= 3) throw err;
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(dir: string, port: number): Promise<TestRegistry> {
  const host = `127.0.0.1:${port}`;
  const storageDir = join(dir, 'storage');
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storageDir}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    await stopChild(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.body?.cancel();
      if (res.status === 200) return { host, storageDir, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopChild(child, exited);
  throw new Error(`docker-registry did not answer on ${host}: ${stderr}`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, 5000);
  await exited;
  clearTimeout(timer);
}
