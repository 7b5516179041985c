// registry.ts: test harness that runs Debian's docker-registry (distribution v2.8) on a free
// loopback port with a skifftest-registry-* storage dir, stopped by PID and removed after.
// With `htpasswd` it requires Basic auth (bcrypt hashes made with libcrypt through koffi).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import koffi from 'koffi';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../pkg/util/ports.js';

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

/** RegistryOptions configures a test registry. */
export interface RegistryOptions {
  /** htpasswd makes the registry require Basic auth with these credentials. */
  htpasswd?: { username: string; password: string };
}

/** bcryptHash hashes a password for htpasswd with libcrypt's bcrypt ($2y$ as htpasswd writes). */
export function bcryptHash(password: string): string {
  const crypt = koffi.load('libcrypt.so.1').func('const char *crypt(const char *phrase, const char *setting)');
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  // The last salt character carries only 2 significant bits; keep it in the canonical set.
  const salt = [...randomBytes(21)].map((b) => alphabet[b % 64]).join('') + '.Oeu'[randomBytes(1)[0]! % 4];
  const hash = crypt(password, `$2b$05$${salt}`) as string | null;
  if (!hash?.startsWith('$2b$')) throw new Error('libcrypt has no bcrypt');
  return `$2y$${hash.slice(4)}`;
}

/** startRegistry starts a registry and resolves once GET /v2/ answers (401 counts when auth is on). */
export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'skifftest-registry-'));
  try {
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      try {
        return await launch(dir, port, opts);
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

async function launch(dir: string, port: number, opts: RegistryOptions): Promise<TestRegistry> {
  const host = `127.0.0.1:${port}`;
  const storageDir = join(dir, 'storage');
  const config = join(dir, 'config.yml');
  const auth: string[] = [];
  if (opts.htpasswd) {
    const file = join(dir, 'htpasswd');
    writeFileSync(file, `${opts.htpasswd.username}:${bcryptHash(opts.htpasswd.password)}\n`);
    auth.push('auth:', '  htpasswd:', '    realm: skiff-test', `    path: ${file}`);
  }
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
      ...auth,
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
      if (res.status === 200 || (opts.htpasswd && res.status === 401)) return { host, storageDir, stop };
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
