// pause.ts: the sandbox's "pause" container, which only holds the pod's namespaces. Its
// read-only rootfs is built once from the host's static busybox, so no image is needed.
import { copyFile, mkdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** pauseCommand sleeps as long as a 32-bit timeout allows; the sandbox is stopped with SIGKILL. */
export const pauseCommand = ['/bin/busybox', 'sleep', '2147483647'];

/** ensurePauseRootfs builds <dir>/rootfs from busybox if needed and returns its path. */
export async function ensurePauseRootfs(dir: string, busybox = '/bin/busybox'): Promise<string> {
  const rootfs = path.join(dir, 'rootfs');
  try {
    await stat(path.join(rootfs, 'bin', 'busybox'));
    return rootfs;
  } catch {
    // build it
  }
  const tmp = path.join(dir, `rootfs.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  for (const d of ['bin', 'proc', 'dev', 'sys', 'etc', 'tmp']) await mkdir(path.join(tmp, d), { recursive: true });
  await copyFile(busybox, path.join(tmp, 'bin', 'busybox'));
  await symlink('busybox', path.join(tmp, 'bin', 'sh'));
  await writeFile(path.join(tmp, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  await writeFile(path.join(tmp, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  try {
    await rename(tmp, rootfs);
  } catch (e) {
    // another runtime instance won the race
    await rm(tmp, { recursive: true, force: true });
    await stat(path.join(rootfs, 'bin', 'busybox')).catch(() => {
      throw e;
    });
  }
  return rootfs;
}
