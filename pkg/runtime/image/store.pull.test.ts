// Pulls from a real registry (Debian's docker-registry on loopback), pushed with push.ts.
import anyTest, { type TestFn } from 'ava';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../../../test/lib/registry.js';
import { digestHex } from './digest.js';
import { isImageError } from './errors.js';
import { buildIndex, newLayout, type BuiltImage } from './oci-layout.js';
import { pushLayout } from './push.js';
import { buildSampleImages, type SampleImage } from './samples.js';
import { FsImageStore, type FsImageStoreOptions } from './store.js';
import { tempDir, tinyImage } from './testutil.js';

const test = anyTest as TestFn<{ registry: TestRegistry; web: SampleImage }>;

test.before(async (t) => {
  const registry = await startRegistry();
  const samples = await buildSampleImages();
  const web = samples.find((s) => s.name === 'skiff.local/web:v1')!;
  await pushLayout(web.layout, `${registry.host}/web:v1`, { insecureRegistries: [registry.host] });
  t.context = { registry, web };
});

test.after.always(async (t) => {
  await t.context.registry?.stop();
});

async function newStore(t: any, opts: Partial<FsImageStoreOptions> = {}): Promise<FsImageStore> {
  return FsImageStore.open({ root: join(tempDir(t, 'images'), 'store'), ...opts });
}

async function pushTiny(t: any, repo: string, image: BuiltImage): Promise<string> {
  const host = t.context.registry.host;
  await pushLayout(newLayout([{ image }]), `${host}/${repo}`, { insecureRegistries: [host] });
  return `${host}/${repo}`;
}

/** countingFetch counts GETs of blobs while passing everything through. */
function countingFetch() {
  const blobGets: string[] = [];
  const fn: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if ((init?.method ?? 'GET') === 'GET' && url.includes('/blobs/')) blobGets.push(url);
    return fetch(input, init);
  };
  return { fn, blobGets };
}

test('pull by tag and by digest from a loopback registry', async (t) => {
  const { registry, web } = t.context;
  const store = await newStore(t);
  const opts = { insecureRegistries: [registry.host] };
  const byTag = await store.pull(`${registry.host}/web:v1`, opts);
  t.is(byTag.id, web.image.id);
  t.deepEqual(byTag.repoTags, [`${registry.host}/web:v1`]);
  t.deepEqual(byTag.repoDigests, [`${registry.host}/web@${web.image.descriptor.digest}`]);
  t.deepEqual(byTag.config.config?.Cmd, ['/bin/busybox', 'httpd', '-f', '-v', '-p', '8080', '-h', '/www']);
  t.is(byTag.layerDirs.length, 2);
  t.true(statSync(join(byTag.layerDirs[0]!, 'bin/busybox')).isFile(), 'base layer holds busybox');
  t.is(readFileSync(join(byTag.layerDirs[1]!, 'www/index.html'), 'utf8'), 'web v1\n');
  t.true(byTag.size > 500_000);

  const byDigest = await store.pull(`${registry.host}/web@${web.image.descriptor.digest}`, opts);
  t.is(byDigest.id, byTag.id);
  t.deepEqual(byDigest.repoTags, [`${registry.host}/web:v1`], 'a digest pull adds no tag');
  t.is((await store.list()).length, 1);

  for (const ref of [byTag.id, digestHex(byTag.id), digestHex(byTag.id).slice(0, 12), `${registry.host}/web:v1`, byTag.repoDigests[0]!, web.image.descriptor.digest]) {
    t.is((await store.get(ref))?.id, byTag.id, `get(${ref})`);
  }
  t.is(await store.get(`${registry.host}/web:v2`), undefined);
});

test('pull of an unknown tag is NotFound; plain HTTP to a registry not listed insecure fails', async (t) => {
  const { registry } = t.context;
  const store = await newStore(t);
  const missing = await t.throwsAsync(store.pull(`${registry.host}/web:nope`, { insecureRegistries: [registry.host] }));
  t.true(isImageError(missing, 'NotFound'), String(missing));
  // Without the insecure opt-in the client speaks HTTPS to the plain-HTTP registry and fails.
  const tls = await t.throwsAsync(store.pull(`${registry.host}/web:v1`));
  t.true(isImageError(tls, 'Registry'), String(tls));
  t.deepEqual(await store.list(), []);
});

test('pull of a manifest list chooses linux/amd64', async (t) => {
  const { registry } = t.context;
  const amd64 = await tinyImage('multi-amd64', { platform: { os: 'linux', architecture: 'amd64' } });
  const arm64 = await tinyImage('multi-arm64', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
  const index = buildIndex([arm64, amd64]);
  const ref = await pushTiny(t, 'multi:v1', index);
  const store = await newStore(t);
  const rec = await store.pull(ref, { insecureRegistries: [registry.host] });
  t.is(rec.id, amd64.id);
  t.is(rec.config.architecture, 'amd64');
  t.deepEqual(rec.repoDigests, [`${registry.host}/multi@${index.descriptor.digest}`]);
  t.is(readFileSync(join(rec.layerDirs[0]!, 'seed.txt'), 'utf8'), 'multi-amd64\n');
  const arm = await newStore(t, { platform: { os: 'linux', architecture: 'arm64' } });
  t.is((await arm.pull(ref, { insecureRegistries: [registry.host] })).id, arm64.id);
});

test('a corrupted blob is rejected and nothing is recorded', async (t) => {
  const { registry } = t.context;
  const image = await tinyImage('corrupt-me', { bytes: 8192 });
  const ref = await pushTiny(t, 'corrupt:v1', image);
  const manifest = JSON.parse(image.blobs.get(image.descriptor.digest)!.toString());
  const layerDigest: string = manifest.layers[0].digest;
  const hex = digestHex(layerDigest);
  const data = join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  const bytes = readFileSync(data);
  bytes[bytes.length - 100]! ^= 0xff; // same length, different content
  writeFileSync(data, bytes);

  const store = await newStore(t);
  const err = await t.throwsAsync(store.pull(ref, { insecureRegistries: [registry.host] }));
  t.true(isImageError(err, 'DigestMismatch'), String(err));
  t.deepEqual(await store.list(), []);
  t.false(existsSync(join(store.root, 'blobs/sha256', hex)), 'corrupt blob never enters the store');
  t.deepEqual(readdirSync(join(store.root, 'layers/sha256')), []);
  t.deepEqual(readdirSync(join(store.root, 'tmp')), [], 'temp files are cleaned up');
  const reopened = await FsImageStore.open({ root: store.root });
  t.deepEqual(await reopened.list(), []);
});

test('a blob whose bytes differ but unpack to the right layer (gzip header changed) is rejected, and its layer is not published', async (t) => {
  const { registry } = t.context;
  const image = await tinyImage('header-tamper', { bytes: 8192 });
  const ref = await pushTiny(t, 'tamper:v1', image);
  const manifest = JSON.parse(image.blobs.get(image.descriptor.digest)!.toString());
  const hex = digestHex(manifest.layers[0].digest as string);
  const data = join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  const bytes = readFileSync(data);
  bytes[4]! ^= 0xff; // gzip MTIME: the decompressed tar (and so the diffID) is unchanged
  writeFileSync(data, bytes);

  const store = await newStore(t);
  const err = await t.throwsAsync(store.pull(ref, { insecureRegistries: [registry.host] }));
  t.true(isImageError(err, 'DigestMismatch'), String(err));
  t.deepEqual(readdirSync(join(store.root, 'layers/sha256')), [], 'the layer unpacked during the download is not published');
  t.false(existsSync(join(store.root, 'blobs/sha256', hex)));
  t.deepEqual(readdirSync(join(store.root, 'tmp')), [], 'temp files are cleaned up');
});

test('concurrent pulls of one image share one download of each blob', async (t) => {
  const { registry, web } = t.context;
  const counter = countingFetch();
  const store = await newStore(t, { fetch: counter.fn });
  const opts = { insecureRegistries: [registry.host] };
  const [a, b, c] = await Promise.all([
    store.pull(`${registry.host}/web:v1`, opts),
    store.pull(`${registry.host}/web:v1`, opts),
    store.pull(`${registry.host}/web@${web.image.descriptor.digest}`, opts),
  ]);
  t.is(a.id, b.id);
  t.is(a.id, c.id);
  // config + 2 layers, each fetched once.
  t.is(counter.blobGets.length, 3, counter.blobGets.join('\n'));
  t.is(new Set(counter.blobGets).size, 3);
  await store.pull(`${registry.host}/web:v1`, opts);
  t.is(counter.blobGets.length, 3, 'a pull of a present image downloads no blob');
});

/** authProxy fronts the registry with an auth scheme, passing authorized requests through. */
async function authProxy(t: any, upstream: string, scheme: 'bearer' | 'basic'): Promise<{ host: string; tokenRequests: () => number }> {
  const user = 'skiff';
  const pass = 's3cret';
  const token = 'token-for-skiff';
  let tokenRequests = 0;
  const server: Server = createServer(async (req, res) => {
    const host = `127.0.0.1:${(server.address() as any).port}`;
    const auth = req.headers.authorization ?? '';
    const basicOk = auth === `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    if (req.url?.startsWith('/token')) {
      tokenRequests++;
      const u = new URL(req.url, `http://${host}`);
      if (!basicOk || u.searchParams.get('service') !== 'skiff-test' || !u.searchParams.get('scope')?.startsWith('repository:')) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
      return;
    }
    const ok = scheme === 'bearer' ? auth === `Bearer ${token}` : basicOk;
    if (!ok) {
      const challenge =
        scheme === 'bearer' ? `Bearer realm="http://${host}/token",service="skiff-test",scope="repository:web:pull"` : 'Basic realm="skiff"';
      res.writeHead(401, { 'www-authenticate': challenge }).end();
      return;
    }
    const up = await fetch(`http://${upstream}${req.url}`, { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } });
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'docker-content-digest', 'content-length']) {
      const v = up.headers.get(h);
      if (v) headers[h] = v;
    }
    res.writeHead(up.status, headers).end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { host: `127.0.0.1:${(server.address() as any).port}`, tokenRequests: () => tokenRequests };
}

for (const scheme of ['bearer', 'basic'] as const) {
  test(`pull with ${scheme} auth: right credentials work, missing or wrong ones are Unauthorized`, async (t) => {
    const { registry, web } = t.context;
    const proxy = await authProxy(t, registry.host, scheme);
    const store = await newStore(t);
    const ref = `${proxy.host}/web:v1`;
    const insecure = { insecureRegistries: [proxy.host] };
    const anonymous = await t.throwsAsync(store.pull(ref, insecure));
    t.true(isImageError(anonymous, 'Unauthorized'), String(anonymous));
    const wrong = await t.throwsAsync(store.pull(ref, { ...insecure, auth: { username: 'skiff', password: 'nope' } }));
    t.true(isImageError(wrong, 'Unauthorized'), String(wrong));
    const rec = await store.pull(ref, { ...insecure, auth: { username: 'skiff', password: 's3cret' } });
    t.is(rec.id, web.image.id);
    if (scheme === 'bearer') t.true(proxy.tokenRequests() >= 2);
  });
}

test('push and pull against a registry that requires htpasswd Basic auth', async (t) => {
  const auth = { username: 'skiff', password: 'htpasswd-secret' };
  const registry = await startRegistry({ htpasswd: auth });
  t.teardown(() => registry.stop());
  const image = await tinyImage('htpasswd');
  const ref = `${registry.host}/private:v1`;
  const insecure = { insecureRegistries: [registry.host] };
  const denied = await t.throwsAsync(pushLayout(newLayout([{ image }]), ref, insecure));
  t.true(isImageError(denied, 'Unauthorized'), String(denied));
  await pushLayout(newLayout([{ image }]), ref, { ...insecure, auth });
  const store = await newStore(t);
  const anonymous = await t.throwsAsync(store.pull(ref, insecure));
  t.true(isImageError(anonymous, 'Unauthorized'), String(anonymous));
  t.is((await store.pull(ref, { ...insecure, auth })).id, image.id);
});
