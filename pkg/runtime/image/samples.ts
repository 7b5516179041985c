// samples.ts: the project's sample images (busybox, web v1/v2, crasher, batch), built from
// the host's busybox-static without a Docker engine. hack/images/build.ts writes them out.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildImage, buildLayer, newLayout, type BuiltImage, type BuiltLayer, type ImageSpec, type OciLayout } from './oci-layout.js';
import type { TarEntry } from './tarball.js';

/** BUSYBOX_PATH is where Debian's busybox-static installs its binary. */
export const BUSYBOX_PATH = '/bin/busybox';

/** DEFAULT_PATH is the PATH every sample image sets. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** SampleImage is one built sample: its name, the image and a single-image layout. */
export interface SampleImage {
  name: string;
  /** file is the suggested archive name: "web-v1.tar". */
  file: string;
  image: BuiltImage;
  layout: OciLayout;
}

/** busyboxApplets lists the applets the binary provides (`busybox --list`), sorted. */
export function busyboxApplets(busybox = BUSYBOX_PATH): string[] {
  return execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'busybox' && !s.includes('/'))
    .sort();
}

/** busyboxRootfs is the base layer: /bin/busybox, one symlink per applet, /etc basics, /tmp. */
export function busyboxRootfs(busybox = BUSYBOX_PATH): TarEntry[] {
  const dirs = ['bin', 'dev', 'etc', 'home', 'proc', 'root', 'sys', 'usr', 'usr/bin', 'usr/sbin', 'sbin', 'var', 'var/run'];
  const entries: TarEntry[] = dirs.map((path) => ({ path, type: 'directory', mode: path === 'root' ? 0o700 : 0o755 }));
  entries.push({ path: 'tmp', type: 'directory', mode: 0o1777 });
  entries.push({ path: 'bin/busybox', content: readFileSync(busybox), mode: 0o755 });
  for (const applet of busyboxApplets(busybox)) entries.push({ path: `bin/${applet}`, type: 'symlink', linkname: 'busybox' });
  entries.push({
    path: 'etc/passwd',
    content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  });
  entries.push({ path: 'etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' });
  entries.push({ path: 'etc/nsswitch.conf', content: 'hosts: files dns\n' });
  return entries;
}

/** app is an image of the busybox base plus one application layer. */
function app(base: BuiltLayer, extra: BuiltLayer, config: ImageSpec['config']): BuiltImage {
  return buildImage({ layers: [base, extra], config: { Env: [`PATH=${DEFAULT_PATH}`], WorkingDir: '/', ...config } });
}

async function webImage(base: BuiltLayer, version: string): Promise<BuiltImage> {
  const layer = await buildLayer([
    { path: 'www', type: 'directory' },
    { path: 'www/index.html', content: `web ${version}\n` },
    { path: 'www/healthz', content: 'ok\n' },
  ]);
  return app(base, layer, {
    Cmd: ['/bin/busybox', 'httpd', '-f', '-v', '-p', '8080', '-h', '/www'],
    WorkingDir: '/www',
    ExposedPorts: { '8080/tcp': {} },
    Labels: { 'org.opencontainers.image.title': 'web', 'org.opencontainers.image.version': version },
    StopSignal: 'SIGTERM',
  });
}

/** buildSampleImages builds every sample image (deterministically). */
export async function buildSampleImages(busybox = BUSYBOX_PATH): Promise<SampleImage[]> {
  const base = await buildLayer(busyboxRootfs(busybox));
  const images: Array<{ name: string; file: string; image: BuiltImage }> = [];
  images.push({
    name: 'skiff.local/busybox:latest',
    file: 'busybox-latest.tar',
    image: buildImage({ layers: [base], config: { Env: [`PATH=${DEFAULT_PATH}`], Cmd: ['sh'], WorkingDir: '/' } }),
  });
  images.push({ name: 'skiff.local/web:v1', file: 'web-v1.tar', image: await webImage(base, 'v1') });
  images.push({ name: 'skiff.local/web:v2', file: 'web-v2.tar', image: await webImage(base, 'v2') });
  const crasher = await buildLayer([
    { path: 'app', type: 'directory' },
    { path: 'app/crash.sh', mode: 0o755, content: '#!/bin/sh\necho "crasher: starting, then exiting with status 1"\nexit 1\n' },
  ]);
  images.push({ name: 'skiff.local/crasher:latest', file: 'crasher-latest.tar', image: app(base, crasher, { Cmd: ['/app/crash.sh'] }) });
  const batch = await buildLayer([
    { path: 'app', type: 'directory' },
    {
      path: 'app/batch.sh',
      mode: 0o755,
      content: '#!/bin/sh\n# Prints 1..COUNT (default 5) and exits 0.\ni=1\nwhile [ "$i" -le "${COUNT:-5}" ]; do echo "$i"; i=$((i + 1)); done\n',
    },
  ]);
  images.push({ name: 'skiff.local/batch:latest', file: 'batch-latest.tar', image: app(base, batch, { Cmd: ['/app/batch.sh'], Env: [`PATH=${DEFAULT_PATH}`, 'COUNT=5'] }) });
  return images.map((i) => ({ ...i, layout: newLayout([{ image: i.image, name: i.name }]) }));
}
