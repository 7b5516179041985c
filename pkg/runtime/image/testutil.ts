// testutil.ts: helpers shared by this package's tests (temp dirs with a skifftest- prefix,
// overlay mounts that are always undone, zstd frames).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Platform } from './manifest.js';
import { buildImage, buildLayer, type BuiltImage } from './oci-layout.js';

/** tempDir makes a skifftest-<what>-* directory removed when the test ends (also on failure). */
export function tempDir(t: ExecutionContext, what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `skifftest-${what}-`));
  t.teardown(() => removeTree(dir));
  return dir;
}

/** removeTree unmounts anything still mounted below dir, then deletes it on its own file system. */
export function removeTree(dir: string): void {
  const mounts = execFileSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' })
    .split('\n')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  spawnSync('rm', ['-rf', '--one-file-system', dir]);
  rmSync(dir, { recursive: true, force: true });
}

/** mountOverlay mounts read-only overlay of lowerdirs (top first) at target, unmounted at teardown. */
export function mountOverlay(t: ExecutionContext, lowerTopFirst: string[], target: string): void {
  execFileSync('mount', ['-t', 'overlay', 'skifftest-overlay', '-o', `lowerdir=${lowerTopFirst.join(':')}`, target]);
  t.teardown(() => {
    spawnSync('umount', [target]);
  });
}

/** zstdCompress compresses with the zstd tool, or writes raw (stored) zstd blocks without it. */
export function zstdCompress(data: Buffer): Buffer {
  const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: data });
  if (r.status === 0 && r.stdout.length > 0) return r.stdout;
  // Frame: magic, descriptor (no size, no checksum), window 128 KiB, then raw blocks.
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  const max = 128 * 1024;
  for (let off = 0; off === 0 || off < data.length; off += max) {
    const chunk = data.subarray(off, off + max);
    const last = off + max >= data.length ? 1 : 0;
    const h = (chunk.length << 3) | last;
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), chunk);
  }
  return Buffer.concat(parts);
}

/** noise returns n deterministic, incompressible bytes derived from seed. */
export function noise(seed: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  let block = createHash('sha256').update(seed).digest();
  for (let off = 0; off < n; off += block.length) {
    block.copy(out, off);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** tinyImage builds a one-layer image whose layer holds /seed.txt and /noise.bin (bytes of noise). */
export async function tinyImage(seed: string, opts: { platform?: Platform; bytes?: number } = {}): Promise<BuiltImage> {
  const layer = await buildLayer([
    { path: 'seed.txt', content: `${seed}\n` },
    { path: 'noise.bin', content: noise(seed, opts.bytes ?? 1024) },
  ]);
  return buildImage({ layers: [layer], config: { Cmd: ['/seed'], Env: ['PATH=/bin'] }, platform: opts.platform });
}
