import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildKubeconfig,
  kubeconfigPaths,
  loadKubeconfig,
  parseKubeconfig,
  resolveContext,
  serializeKubeconfig,
  writeKubeconfig,
} from './kubeconfig.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-kubeconfig-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const twoContexts = `
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: ${Buffer.from('CA PEM').toString('base64')}
- name: prod-cluster
  cluster:
    server: https://10.0.0.1:6443
    insecure-skip-tls-verify: true
    certificate-authority: ca.crt
users:
- name: dev-user
  user:
    token: secret-token
- name: prod-user
  user:
    client-certificate: certs/client.crt
    client-key-data: ${Buffer.from('KEY PEM').toString('base64')}
- name: basic
  user:
    username: admin
    password: hunter2
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
- name: prod
  context: {cluster: prod-cluster, user: prod-user}
- name: basic
  context: {cluster: dev-cluster, user: basic}
`;

test('current-context resolves server (trailing slash dropped), CA data, token, namespace', (t) => {
  const conn = resolveContext(parseKubeconfig(twoContexts));
  t.is(conn.contextName, 'dev');
  t.is(conn.server, 'https://127.0.0.1:6443');
  t.is(conn.ca?.toString(), 'CA PEM');
  t.is(conn.token, 'secret-token');
  t.is(conn.namespace, 'team-a');
  t.falsy(conn.insecureSkipTLSVerify);
});

test('a context override reads certificate files relative to the kubeconfig directory', (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, 'certs'));
  fs.writeFileSync(path.join(dir, 'ca.crt'), 'PROD CA');
  fs.writeFileSync(path.join(dir, 'certs', 'client.crt'), 'CLIENT CERT');
  const conn = resolveContext(parseKubeconfig(twoContexts, dir), 'prod');
  t.is(conn.server, 'https://10.0.0.1:6443');
  t.true(conn.insecureSkipTLSVerify);
  t.is(conn.ca?.toString(), 'PROD CA');
  t.is(conn.cert?.toString(), 'CLIENT CERT');
  t.is(conn.key?.toString(), 'KEY PEM');
  t.is(conn.namespace, 'default');
  t.is(conn.token, undefined);
});

test('basic auth users resolve username and password', (t) => {
  const conn = resolveContext(parseKubeconfig(twoContexts), 'basic');
  t.is(conn.username, 'admin');
  t.is(conn.password, 'hunter2');
});

test('unknown contexts, clusters and users are errors', (t) => {
  const kc = parseKubeconfig(twoContexts);
  t.throws(() => resolveContext(kc, 'nope'), { message: /context "nope" not found/ });
  const broken = parseKubeconfig('contexts: [{name: x, context: {cluster: gone, user: u}}]\ncurrent-context: x\n');
  t.throws(() => resolveContext(broken), { message: /cluster "gone"/ });
  t.throws(() => resolveContext(parseKubeconfig('{}')), { message: /no current-context/ });
});

test('lookup order: explicit path, then KUBECONFIG (merged, first wins), then ~/.kube/config', (t) => {
  const dir = tempDir(t);
  t.deepEqual(kubeconfigPaths({ path: '/x', env: { KUBECONFIG: '/y' } }), ['/x']);
  t.deepEqual(kubeconfigPaths({ env: { KUBECONFIG: `/a${path.delimiter}/b` } }), ['/a', '/b']);
  t.deepEqual(kubeconfigPaths({ env: {}, home: '/home/u' }), ['/home/u/.kube/config']);

  const a = path.join(dir, 'a.yaml');
  const b = path.join(dir, 'b.yaml');
  writeKubeconfig(a, buildKubeconfig({ server: 'https://a:1', name: 'a', token: 'ta' }));
  const bConfig = buildKubeconfig({ server: 'https://b:2', name: 'b', token: 'tb' });
  bConfig.clusters.push({ name: 'a', cluster: { server: 'https://shadowed:9' } });
  writeKubeconfig(b, bConfig);
  const merged = loadKubeconfig({ env: { KUBECONFIG: [path.join(dir, 'missing.yaml'), a, b].join(path.delimiter) } });
  t.is(merged['current-context'], 'a');
  t.is(resolveContext(merged).server, 'https://a:1');
  t.is(resolveContext(merged, 'b').token, 'tb');

  fs.mkdirSync(path.join(dir, '.kube'));
  fs.copyFileSync(b, path.join(dir, '.kube', 'config'));
  t.is(resolveContext(loadKubeconfig({ env: {}, home: dir })).server, 'https://b:2');
  t.throws(() => loadKubeconfig({ env: {}, home: path.join(dir, 'nowhere') }), { message: /no kubeconfig found/ });
});

test('written kubeconfigs are 0600, YAML, and round-trip with embedded certificates', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'sub', 'kubeconfig.yaml');
  writeKubeconfig(file, buildKubeconfig({ server: 'https://127.0.0.1:6443', ca: 'CA', clientCert: 'C', clientKey: 'K', namespace: 'ns1' }));
  t.is(fs.statSync(file).mode & 0o777, 0o600);
  const text = fs.readFileSync(file, 'utf8');
  t.regex(text, /current-context: skiff/);
  t.notRegex(text, /baseDir/);
  const conn = resolveContext(loadKubeconfig({ path: file }));
  t.deepEqual(
    { server: conn.server, ca: conn.ca?.toString(), cert: conn.cert?.toString(), key: conn.key?.toString(), ns: conn.namespace },
    { server: 'https://127.0.0.1:6443', ca: 'CA', cert: 'C', key: 'K', ns: 'ns1' },
  );
  t.is(serializeKubeconfig(loadKubeconfig({ path: file })), text);
});
