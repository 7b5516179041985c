import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildKubeconfig, parseKubeconfig, resolveContext, serializeKubeconfig } from './kubeconfig.js';
import { RestClient } from './rest.js';

interface Pki {
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
}

/** makePki creates a throwaway CA, a server certificate for 127.0.0.1 and a client certificate with openssl. */
function makePki(dir: string): Pki {
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=skiff-test-ca');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=skiff-apiserver');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext');
  run('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=skiff-admin/O=system:masters');
  run('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1');
  const read = (f: string): Buffer => fs.readFileSync(path.join(dir, f));
  return { ca: read('ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key'), clientCert: read('client.crt'), clientKey: read('client.key') };
}

test('TLS: CA verification, client certificates, insecure-skip-tls-verify, basic auth, kubeconfig round trip', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-tls-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pki = makePki(dir);
  const server = https.createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ cn: peer?.subject?.CN ?? null, authorization: req.headers.authorization ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const url = `https://127.0.0.1:${port}`;
  const clients: RestClient[] = [];
  const call = (config: Omit<ConstructorParameters<typeof RestClient>[0], 'server'>) => {
    const c = new RestClient({ server: url, maxRetries: 0, ...config });
    clients.push(c);
    return c.request<{ cn: string | null; authorization: string | null }>({ method: 'GET', path: '/api' });
  };
  t.teardown(() => clients.forEach((c) => c.close()));

  t.deepEqual(await call({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey }), { cn: 'skiff-admin', authorization: null });
  const untrusted = await t.throwsAsync(call({}));
  t.regex(String((untrusted as { code?: string }).code), /CERT|SIGNATURE|SELF_SIGNED/);
  t.deepEqual(await call({ insecureSkipTLSVerify: true, username: 'admin', password: 'pw' }), {
    cn: null,
    authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}`,
  });

  // what `skiff server` writes, a client reads back and uses
  const kc = parseKubeconfig(serializeKubeconfig(buildKubeconfig({ server: url, ca: pki.ca, clientCert: pki.clientCert, clientKey: pki.clientKey })));
  t.is((await call(resolveContext(kc))).cn, 'skiff-admin');
});
