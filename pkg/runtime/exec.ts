// exec.ts: run extra processes in a running container with `<runtime> exec`: ExecSync (probes,
// kubectl exec without a stream) and streaming sessions over pipes. TTY sessions are not
// supported: crun/runc need a console socket (an fd passed over SCM_RIGHTS) that Node cannot receive.
import { readFile, rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { OciRuntimeCli } from './oci/cli.js';
import { deadlineExceeded, RuntimeError } from './errors.js';
import type { ExecSyncResult } from './types.js';

/** ExecOptions selects the command and streams of an exec session. */
export interface ExecOptions {
  cmd: string[];
  /** stdin opens a pipe to the process's stdin. */
  stdin?: boolean;
  tty?: boolean;
}

/** ExecSession is a running exec: write stdin, read stdout/stderr, await the exit code. */
export interface ExecSession {
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** exitCode resolves when the process ends (128+signal when killed). */
  readonly exitCode: Promise<number>;
  /** resize changes the terminal size (TTY sessions only; a no-op otherwise). */
  resize(width: number, height: number): void;
  /** kill signals the exec'd process in the container. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** startExec starts cmd in container id; pidDir holds the exec's pid file. */
export function startExec(cli: OciRuntimeCli, id: string, opts: ExecOptions, pidDir: string): ExecSession {
  if (opts.tty) throw new RuntimeError('Unimplemented', 'exec with a TTY is not supported; use stdin/stdout/stderr streams');
  if (opts.cmd.length === 0) throw new RuntimeError('InvalidArgument', 'exec needs a command');
  const pidFile = path.join(pidDir, `exec-${randomBytes(8).toString('hex')}.pid`);
  const child = cli.spawnExec(id, opts.cmd, { pidFile, stdin: opts.stdin });
  // a process that exits without reading its stdin makes writes fail with EPIPE; that is not fatal
  child.stdin?.on('error', () => undefined);
  const exitCode = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      void rm(pidFile, { force: true });
      if (code === null) resolve(128 + (signal ? (signalNumbers[signal] ?? 1) : 1));
      else resolve(code);
    });
  });
  const killProcess = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    try {
      const pid = Number((await readFile(pidFile, 'utf8')).trim());
      if (pid > 0) process.kill(pid, signal);
    } catch {
      // not started yet or already gone: stop the runtime's exec process instead
      child.kill(signal);
    }
  };
  return {
    stdin: child.stdin,
    stdout: child.stdout!,
    stderr: child.stderr!,
    exitCode,
    resize: () => undefined,
    kill: killProcess,
  };
}

/** execSync runs cmd to completion, capturing output; timeoutMs 0 waits forever. On timeout the
 * process is killed and a DeadlineExceeded error is thrown (kubelet reports a probe timeout). */
export async function execSync(cli: OciRuntimeCli, id: string, cmd: string[], timeoutMs: number, pidDir: string): Promise<ExecSyncResult> {
  const session = startExec(cli, id, { cmd }, pidDir);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  session.stdout.on('data', (d: Buffer) => out.push(d));
  session.stderr.on('data', (d: Buffer) => err.push(d));
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  if (timeoutMs > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      void session.kill('SIGKILL');
    }, timeoutMs);
  }
  try {
    const exitCode = await session.exitCode;
    if (timedOut) throw deadlineExceeded(`command ${JSON.stringify(cmd)} timed out after ${timeoutMs}ms`);
    return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode };
  } finally {
    clearTimeout(timer);
  }
}
