// atomic-writer.ts: kubelet's AtomicWriter for configMap, secret, projected and downwardAPI
// volumes. Files live in a timestamped directory; "..data" is a symlink to it and each
// visible name is a symlink through "..data". An update writes a new directory and renames a
// fresh symlink over "..data", so a container sees the old or the new set, never a mix.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile, lstat } from 'node:fs/promises';
import path from 'node:path';

/** FileProjection is one file of a payload. */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

/** Payload maps relative paths ("key" or "dir/key") to file contents. */
export type Payload = Record<string, FileProjection>;

const DATA = '..data';

async function currentPayloadEquals(dir: string, payload: Payload): Promise<boolean> {
  let target: string;
  try {
    target = await readlink(path.join(dir, DATA));
  } catch {
    return false;
  }
  const base = path.join(dir, target);
  const existing = await listFiles(base).catch(() => undefined);
  if (!existing) return false;
  const wanted = Object.keys(payload).sort();
  if (existing.length !== wanted.length || existing.some((p, i) => p !== wanted[i])) return false;
  for (const p of wanted) {
    const st = await lstat(path.join(base, p));
    if ((st.mode & 0o7777) !== payload[p]!.mode) return false;
    if (!(await readFile(path.join(base, p))).equals(payload[p]!.data)) return false;
  }
  return true;
}

async function listFiles(base: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(base, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(base, rel)));
    else out.push(rel);
  }
  return out.sort();
}

function validateRelPath(p: string): void {
  if (p === '' || path.isAbsolute(p) || p.split('/').some((s) => s === '..' || s.startsWith('..')) || p.length > 4096) {
    throw new Error(`invalid path ${JSON.stringify(p)} in volume payload`);
  }
}

/** writePayload makes dir hold exactly payload; returns false when it already did. */
export async function writePayload(dir: string, payload: Payload): Promise<boolean> {
  for (const p of Object.keys(payload)) validateRelPath(p);
  await mkdir(dir, { recursive: true });
  if (await currentPayloadEquals(dir, payload)) return false;
  const old = await readlink(path.join(dir, DATA)).catch(() => undefined);
  const tsDir = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${randomBytes(4).toString('hex')}`;
  for (const [p, f] of Object.entries(payload)) {
    const file = path.join(dir, tsDir, p);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, f.data);
    await chmod(file, f.mode);
  }
  await mkdir(path.join(dir, tsDir), { recursive: true });
  const tmpLink = path.join(dir, `..data_tmp.${randomBytes(4).toString('hex')}`);
  await symlink(tsDir, tmpLink);
  await rename(tmpLink, path.join(dir, DATA));
  const visible = new Set(Object.keys(payload).map((p) => p.split('/')[0]!));
  for (const name of visible) {
    const link = path.join(dir, name);
    const existing = await readlink(link).catch(() => undefined);
    if (existing !== path.join(DATA, name)) {
      await rm(link, { force: true, recursive: true });
      await symlink(path.join(DATA, name), link);
    }
  }
  for (const e of await readdir(dir)) {
    if (e.startsWith('..') || visible.has(e)) continue;
    await rm(path.join(dir, e), { force: true, recursive: true });
  }
  if (old && old !== tsDir) await rm(path.join(dir, old), { recursive: true, force: true });
  return true;
}
