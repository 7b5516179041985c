import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildKubeconfig, writeKubeconfig } from '../client/kubeconfig.js';
import { connectionFor, kubeconfigFiles } from './kubeconfig.js';
import { UserError } from './io.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-cli-kc-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 }));
  return dir;
}

function writeConfig(file: string, server: string, namespace?: string): void {
  writeKubeconfig(file, buildKubeconfig({ server, name: path.basename(file).replace(/\W/g, ''), namespace }));
}

test('kubeconfig precedence: --kubeconfig, KUBECONFIG, ~/.kube/config, then the local server', (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, 'home');
  const local = path.join(dir, 'local', 'kubeconfig.yaml');
  const explicit = path.join(dir, 'explicit.yaml');
  const fromEnv = path.join(dir, 'env.yaml');
  writeConfig(local, 'http://127.0.0.1:1');
  const io = { env: {} as Record<string, string>, home, cwd: dir, localKubeconfigs: [local] };
  t.deepEqual(kubeconfigFiles(io, {}), [local], 'falls back to the local server');
  writeConfig(path.join(home, '.kube', 'config'), 'http://127.0.0.1:2');
  t.deepEqual(kubeconfigFiles(io, {}), [path.join(home, '.kube', 'config')], 'home wins over the local server');
  writeConfig(fromEnv, 'http://127.0.0.1:3');
  io.env.KUBECONFIG = `${fromEnv}${path.delimiter}${path.join(dir, 'missing.yaml')}`;
  t.deepEqual(kubeconfigFiles(io, {}), [fromEnv], 'KUBECONFIG wins over home, missing entries skipped');
  t.deepEqual(kubeconfigFiles(io, { kubeconfig: 'explicit.yaml' }), [explicit], '--kubeconfig wins, relative to cwd');
});

test('connectionFor applies --context, -n and --server overrides', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'kc.yaml');
  const a = buildKubeconfig({ server: 'http://127.0.0.1:1111', name: 'a', namespace: 'team-a' });
  const b = buildKubeconfig({ server: 'http://127.0.0.1:2222', name: 'b' });
  writeKubeconfig(file, { ...a, clusters: [...a.clusters, ...b.clusters], users: [...a.users, ...b.users], contexts: [...a.contexts, ...b.contexts] });
  const io = { env: {}, home: dir, cwd: dir, localKubeconfigs: [] };
  const conn = connectionFor(io, { kubeconfig: file });
  t.is(conn.server, 'http://127.0.0.1:1111');
  t.is(conn.namespace, 'team-a');
  const other = connectionFor(io, { kubeconfig: file, context: 'b', namespace: 'x' });
  t.is(other.server, 'http://127.0.0.1:2222');
  t.is(other.namespace, 'x');
  t.is(connectionFor(io, { server: 'http://127.0.0.1:9/' }).server, 'http://127.0.0.1:9');
  t.throws(() => connectionFor(io, { kubeconfig: file, context: 'nope' }), { instanceOf: UserError, message: /context "nope" not found/ });
  t.throws(() => connectionFor({ ...io, home: path.join(dir, 'empty') }, {}), { instanceOf: UserError, message: /no kubeconfig found/ });
});
