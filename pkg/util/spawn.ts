// spawn.ts: start a process with posix_spawn(3) instead of Node's child_process. libuv forks
// the whole Node process and waits for the child's exec: the fork copies the page tables of a
// ~150 MiB process (7–8 ms on these VMs, with the event loop blocked), and every page Node
// writes afterwards takes a copy-on-write fault. glibc's posix_spawn uses CLONE_VM|CLONE_VFORK:
// nothing is copied and the call returns once the child has exec'd (~1 ms).
//
// The child gets: argv, the given environment, a working directory, a new session (setsid), all
// signals at their defaults and none blocked (as Node does for its children), /dev/null or a
// pipe on each of its first fds: 'pipe' for output (the child writes, we read), 'input' for its
// stdin (we write). A file without a slash is looked up in PATH (posix_spawnp). Node never
// learns of the child, so it is reaped here: exited() (once its pipes closed), wait() (a
// blocking waitpid on a libuv threadpool thread, so for short-lived children only) or tryReap().
// The runtime starts conmon, crun/runc commands and exec probes this way, the agent its network
// and mount tools.
import type * as Koffi from 'koffi';
import { closeSync } from 'node:fs';
import net from 'node:net';
import { bindLibc, lastErrno, strerror } from './libc.js';

const O_RDWR = 0o2;
const O_CLOEXEC = 0o2000000;
const WNOHANG = 1;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
// glibc x86_64/arm64: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t
// 128; the buffers are larger to be safe.
const FILE_ACTIONS_SIZE = 256;
const ATTR_SIZE = 1024;
const SIGSET_SIZE = 256;

type PosixSpawn = ((pid: number[], path: string, fa: Buffer, attr: Buffer, argv: (string | null)[], envp: (string | null)[]) => number) & {
  async: (pid: number[], path: string, fa: Buffer, attr: Buffer, argv: (string | null)[], envp: (string | null)[], cb: (err: unknown, rc: number) => void) => void;
};

interface SpawnLibc {
  posix_spawn: PosixSpawn;
  posix_spawnp: PosixSpawn;
  fa_init: (fa: Buffer) => number;
  fa_destroy: (fa: Buffer) => number;
  fa_addopen: (fa: Buffer, fd: number, path: string, flags: number, mode: number) => number;
  fa_adddup2: (fa: Buffer, fd: number, newfd: number) => number;
  fa_addchdir: (fa: Buffer, path: string) => number;
  attr_init: (attr: Buffer) => number;
  attr_destroy: (attr: Buffer) => number;
  attr_setflags: (attr: Buffer, flags: number) => number;
  attr_setsigmask: (attr: Buffer, set: Buffer) => number;
  attr_setsigdefault: (attr: Buffer, set: Buffer) => number;
  sigemptyset: (set: Buffer) => number;
  pipe2: (fds: number[], flags: number) => number;
  waitpid: ReturnType<Koffi.LibraryHandle['func']>;
}

const load = bindLibc<SpawnLibc>({
  posix_spawn: 'int posix_spawn(_Out_ int *pid, const char *path, void *fa, void *attr, const char **argv, const char **envp)',
  posix_spawnp: 'int posix_spawnp(_Out_ int *pid, const char *file, void *fa, void *attr, const char **argv, const char **envp)',
  fa_init: 'int posix_spawn_file_actions_init(void *fa)',
  fa_destroy: 'int posix_spawn_file_actions_destroy(void *fa)',
  fa_addopen: 'int posix_spawn_file_actions_addopen(void *fa, int fd, const char *path, int flags, uint32_t mode)',
  fa_adddup2: 'int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)',
  fa_addchdir: 'int posix_spawn_file_actions_addchdir_np(void *fa, const char *path)',
  attr_init: 'int posix_spawnattr_init(void *attr)',
  attr_destroy: 'int posix_spawnattr_destroy(void *attr)',
  attr_setflags: 'int posix_spawnattr_setflags(void *attr, short flags)',
  attr_setsigmask: 'int posix_spawnattr_setsigmask(void *attr, const void *set)',
  attr_setsigdefault: 'int posix_spawnattr_setsigdefault(void *attr, const void *set)',
  sigemptyset: 'int sigemptyset(void *set)',
  pipe2: 'int pipe2(_Out_ int *fds, int flags)',
  waitpid: 'int waitpid(int pid, _Out_ int *status, int options)',
});

/** SpawnStdio: what the child gets on one of its first fds. */
export type SpawnStdio = 'ignore' | 'pipe' | 'input' | number;

/** SpawnOptions configures spawnProcess. */
export interface SpawnOptions {
  /** env is the child's whole environment (undefined values are left out). */
  env: Record<string, string | undefined>;
  cwd?: string;
  /** stdio[i] is fd i of the child: /dev/null, a pipe the child writes and we read ('pipe'), or
   * one we write and the child reads ('input'), or a file descriptor of ours (a number). */
  stdio: SpawnStdio[];
  /** setsid starts the child in a new session (no controlling terminal, its own process group). */
  setsid?: boolean;
}

/** SpawnedProcess is a child started by spawnProcess. */
export interface SpawnedProcess {
  pid: number;
  /** pipes[i] reads what the child writes on fd i (stdio[i] === 'pipe'), or writes what it
   * reads there ('input'). */
  pipes: (net.Socket | undefined)[];
  /** wait resolves with the exit status (as waitpid's status word) once the child ended. It
   * blocks a threadpool thread until then: for children that end soon. */
  wait(): Promise<number>;
  /** tryReap reaps the child if it has ended: its status word, or undefined if still running. */
  tryReap(): number | undefined;
}

/** SpawnError is a failed posix_spawn (bad path, exec failure) with its errno. */
export class SpawnError extends Error {
  constructor(
    readonly file: string,
    readonly errno: number,
  ) {
    super(`spawn ${file}: ${strerror(errno)} (errno ${errno})`);
  }
}

/** exitCode turns a waitpid status word into a shell-style code (128+signal when killed). */
export function exitCode(status: number): number {
  const signal = status & 0x7f;
  return signal === 0 ? (status >> 8) & 0xff : 128 + signal;
}

/** spawnProcess starts file with args (argv[0] is file) and returns once it has exec'd. The
 * event loop waits meanwhile (~1–2 ms: the kernel loads the new program before posix_spawn
 * returns); spawnProcessAsync does the same on a threadpool thread. */
export function spawnProcess(file: string, args: string[], opts: SpawnOptions): SpawnedProcess {
  const call = prepareSpawn(file, args, opts);
  try {
    const pid = [0];
    return call.done(call.spawn(pid, file, call.fa, call.attr, call.argv, call.envp), pid[0]!);
  } finally {
    call.release();
  }
}

/** spawnProcessAsync is spawnProcess with posix_spawn on libuv's threadpool: the event loop goes
 * on while the kernel loads the program. */
export function spawnProcessAsync(file: string, args: string[], opts: SpawnOptions): Promise<SpawnedProcess> {
  const call = prepareSpawn(file, args, opts);
  const pid = [0];
  return new Promise<SpawnedProcess>((resolve, reject) => {
    call.spawn.async(pid, file, call.fa, call.attr, call.argv, call.envp, (err, rc) => {
      try {
        if (err) throw err;
        resolve(call.done(rc, pid[0]!));
      } catch (e) {
        reject(e);
      } finally {
        call.release();
      }
    });
  });
}

interface PreparedSpawn {
  /** spawn is posix_spawn, or posix_spawnp for a file without a slash (looked up in PATH). */
  spawn: PosixSpawn;
  fa: Buffer;
  attr: Buffer;
  argv: (string | null)[];
  envp: (string | null)[];
  /** done turns posix_spawn's result into the process handle (or throws SpawnError). */
  done(rc: number, pid: number): SpawnedProcess;
  /** release closes the child's pipe ends (and ours, unless done handed them out). */
  release(): void;
}

/** prepareSpawn builds posix_spawn's file actions and attributes, and the pipes. */
function prepareSpawn(file: string, args: string[], opts: SpawnOptions): PreparedSpawn {
  const c = load();
  const fa = Buffer.alloc(FILE_ACTIONS_SIZE);
  const attr = Buffer.alloc(ATTR_SIZE);
  const childEnds: number[] = [];
  const parentEnds: ({ fd: number; input: boolean } | undefined)[] = [];
  c.fa_init(fa);
  c.attr_init(attr);
  const release = (): void => {
    for (const fd of childEnds.splice(0)) closeSync(fd);
    for (const end of parentEnds.splice(0)) if (end !== undefined) closeSync(end.fd);
    c.fa_destroy(fa);
    c.attr_destroy(attr);
  };
  try {
    for (const [fd, kind] of opts.stdio.entries()) {
      if (kind === 'ignore' || typeof kind === 'number') {
        if (kind === 'ignore') c.fa_addopen(fa, fd, '/dev/null', O_RDWR, 0);
        else c.fa_adddup2(fa, kind, fd);
        parentEnds.push(undefined);
        continue;
      }
      const fds = [0, 0];
      if (c.pipe2(fds, O_CLOEXEC) !== 0) throw new SpawnError(file, lastErrno());
      // fds[0] reads, fds[1] writes: the child gets the write end of an output pipe, the read
      // end of an input one.
      const input = kind === 'input';
      parentEnds.push({ fd: input ? fds[1]! : fds[0]!, input });
      childEnds.push(input ? fds[0]! : fds[1]!);
      // dup2 onto the child's fd clears close-on-exec there; the original closes at exec.
      c.fa_adddup2(fa, input ? fds[0]! : fds[1]!, fd);
    }
    if (opts.cwd) c.fa_addchdir(fa, opts.cwd);
    const none = Buffer.alloc(SIGSET_SIZE);
    c.sigemptyset(none);
    // Every bit set by hand: sigfillset(3) leaves out glibc's internal signals (32, 33), which
    // posix_spawn would then leave ignored in the child, and ignored stays ignored across exec.
    const all = Buffer.alloc(SIGSET_SIZE, 0xff);
    c.attr_setsigmask(attr, none);
    c.attr_setsigdefault(attr, all);
    c.attr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (opts.setsid ? POSIX_SPAWN_SETSID : 0));
  } catch (e) {
    release();
    throw e;
  }
  const envp = Object.entries(opts.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  return {
    spawn: file.includes('/') ? c.posix_spawn : c.posix_spawnp,
    fa,
    attr,
    argv: [file, ...args, null],
    envp: [...envp, null],
    done(rc, pid) {
      if (rc !== 0) throw new SpawnError(file, rc);
      const pipes = parentEnds.map((end) => (end === undefined ? undefined : new net.Socket({ fd: end.fd, readable: !end.input, writable: end.input })));
      parentEnds.length = 0;
      return processHandle(pid, pipes);
    },
    release,
  };
}

/**
 * exited resolves with the child's status (as waitpid's) once its pipes have closed and it has
 * been reaped. A child closes its pipes as it exits, so the reap is a WNOHANG poll or two; a
 * child without pipes is polled with a growing interval (at most 100 ms). No threadpool thread
 * waits on a running child (a long exec would hold one of libuv's four). Like Node's 'close'
 * event, it waits for the pipes: a grandchild holding them holds it too.
 */
export async function exited(child: SpawnedProcess): Promise<number> {
  await Promise.all(
    child.pipes.map((p) =>
      p === undefined || p.destroyed
        ? undefined
        : new Promise<void>((resolve) => {
            p.once('close', () => resolve());
            p.resume(); // a pipe nobody reads must still reach its end
          }),
    ),
  );
  for (let delay = 0; ; delay = Math.min(100, delay * 2 || 1)) {
    const status = child.tryReap();
    if (status !== undefined) return status;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** RunResult is a finished command's status and output. */
export interface RunResult {
  /** code: the exit code, 128+signal when killed (see exitCode). */
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** runCommand runs file to completion with posix_spawn (no fork of the Node process), with input
 * (if any) on its stdin, capturing stdout and stderr; after timeoutMs (0: none) the child gets
 * SIGKILL. */
export async function runCommand(file: string, args: string[], opts: { env: SpawnOptions['env']; timeoutMs?: number; input?: string }): Promise<RunResult> {
  const child = await spawnProcessAsync(file, args, { env: opts.env, stdio: [opts.input === undefined ? 'ignore' : 'input', 'pipe', 'pipe'] });
  if (opts.input !== undefined) child.pipes[0]!.end(opts.input);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.pipes[1]!.on('data', (d: Buffer) => out.push(d));
  child.pipes[2]!.on('data', (d: Buffer) => err.push(d));
  for (const p of child.pipes) p?.on('error', () => undefined);
  let timedOut = false;
  const timer =
    opts.timeoutMs && opts.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, opts.timeoutMs)
      : undefined;
  try {
    const status = await exited(child);
    return { code: exitCode(status), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), timedOut };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * reapSoon reaps a child that is about to end (or has ended) without holding a threadpool
 * thread: it polls with WNOHANG a few times, then falls back to wait().
 */
export function reapSoon(child: SpawnedProcess, attempts = 20, intervalMs = 25): void {
  if (child.tryReap() !== undefined) return;
  if (attempts <= 0) {
    void child.wait().catch(() => undefined);
    return;
  }
  setTimeout(() => reapSoon(child, attempts - 1, intervalMs), intervalMs).unref();
}

function processHandle(pid: number, pipes: (net.Socket | undefined)[]): SpawnedProcess {
  const c = load();
  let status: number | undefined;
  let waiting: Promise<number> | undefined;
  return {
    pid,
    pipes,
    tryReap() {
      if (status !== undefined || waiting) return status;
      const out = [0];
      if (c.waitpid(pid, out, WNOHANG) === pid) status = out[0];
      return status;
    },
    wait() {
      if (status !== undefined) return Promise.resolve(status);
      waiting ??= new Promise<number>((resolve, reject) => {
        const out = [0];
        c.waitpid.async(pid, out, 0, (err: unknown, r: number) => {
          if (err) return reject(err);
          if (r !== pid) return reject(new Error(`waitpid ${pid}: ${r}`));
          status = out[0];
          resolve(out[0]);
        });
      });
      return waiting;
    },
  };
}
