// exec.ts: run extra processes in a running container with `<runtime> exec`: ExecSync (probes,
// kubectl exec without a stream) and streaming sessions, over pipes or a terminal.
//
// TTY sessions: crun creates the terminal in the container and sends its master over a console
// socket (sys/console.ts receives it); stdout carries the terminal's output (stderr is merged
// into it, as with any terminal) and resize is TIOCSWINSZ on the master. runc relays the
// terminal only over its own stdio in the foreground (it sends the master only when detached,
// and then nobody can wait for the exit code), so runc runs on a raw host pty of ours and copies
// the size from it on SIGWINCH. That relay is a second hop with its own timing: output may show
// a doubled \r now and then, and a size set in the first instants reaches the process late.
import { closeSync, openSync, constants as fsConstants } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import tty from 'node:tty';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { OciRuntimeCli } from './oci/cli.js';
import { deadlineExceeded, RuntimeError } from './errors.js';
import { ConsoleSocket, openPty, setWindowSize } from './sys/console.js';
import { exitCode as exitCodeOf, exited, type SpawnedProcess } from '../util/spawn.js';
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

/** startExec starts cmd in container id; pidDir holds the exec's pid file. The runtime's exec
 * process is started with posix_spawn (see util/spawn.ts). */
export async function startExec(cli: OciRuntimeCli, id: string, opts: ExecOptions, pidDir: string): Promise<ExecSession> {
  if (opts.cmd.length === 0) throw new RuntimeError('InvalidArgument', 'exec needs a command');
  const name = `exec-${randomBytes(8).toString('hex')}`;
  const pidFile = path.join(pidDir, `${name}.pid`);
  if (opts.tty) return startTtyExec(cli, id, opts, pidFile, path.join(pidDir, `${name}.sock`));
  const child = await cli.spawnExec(id, opts.cmd, { pidFile, stdin: opts.stdin });
  // a process that exits without reading its stdin makes writes fail with EPIPE; that is not fatal
  for (const p of child.pipes) p?.on('error', () => undefined);
  return {
    stdin: child.pipes[0] ?? null,
    stdout: child.pipes[1]!,
    stderr: child.pipes[2]!,
    exitCode: exited(child).then(async (status) => {
      await rm(pidFile, { force: true });
      return exitCodeOf(status);
    }),
    resize: () => undefined,
    kill: (signal = 'SIGKILL') => killExec(pidFile, child.pid, signal),
  };
}

/** ttyDrainMs bounds the wait for a terminal's last output after the process exited (a
 * background child may hold the terminal open forever). */
const ttyDrainMs = 1000;

async function startTtyExec(cli: OciRuntimeCli, id: string, opts: ExecOptions, pidFile: string, socketPath: string): Promise<ExecSession> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = opts.stdin ? new PassThrough() : null;
  let size: [number, number] | undefined;
  let master: tty.ReadStream | undefined;
  let masterFd = -1;
  let resizeRuntime = (): void => undefined;
  let markClosed!: () => void;
  const masterClosed = new Promise<void>((resolve) => (markClosed = resolve));

  const attach = (fd: number): void => {
    if (size) setWindowSize(fd, ...size);
    masterFd = fd;
    master = new tty.ReadStream(fd);
    master.on('close', markClosed);
    // EIO on read is how a terminal reports that the last holder of its slave side went away.
    master.on('error', () => master?.destroy());
    master.on('data', (d: Buffer) => stdout.write(d));
    stdin?.on('data', (d: Buffer) => master?.writable && master.write(d));
    // End of input on a terminal is ^D, as when a user types it.
    stdin?.on('end', () => master?.writable && master.write('\x04'));
  };

  let child: SpawnedProcess;
  let done: Promise<number>;
  let finished = false;
  if (cli.name === 'crun') {
    const socket = ConsoleSocket.listen(socketPath);
    try {
      child = await cli.spawnExec(id, opts.cmd, { pidFile, tty: true, consoleSocket: socketPath });
    } catch (e) {
      socket.close();
      throw e;
    }
    for (const p of child.pipes) p?.on('error', () => undefined);
    child.pipes[1]!.pipe(stdout, { end: false });
    child.pipes[2]!.pipe(stderr, { end: false });
    done = exited(child).finally(() => (finished = true));
    void socket
      .receive(() => finished)
      .then(attach, (e: Error) => {
        stderr.write(`${e.message}\n`);
        markClosed();
      })
      .finally(() => {
        socket.close();
        void rm(socketPath, { force: true });
      });
  } else {
    const pty = openPty();
    if (size) setWindowSize(pty.master, ...size);
    const slave = openSync(pty.slavePath, fsConstants.O_RDWR | fsConstants.O_NOCTTY);
    try {
      child = await cli.spawnExec(id, opts.cmd, { pidFile, tty: true, stdio: slave });
    } finally {
      closeSync(slave);
    }
    attach(pty.master);
    done = exited(child).finally(() => (finished = true));
    const runtimePid = child.pid;
    // runc copies the size of its own terminal into the container's on SIGWINCH. A signal sent
    // before runc installed its handler is lost (the default action ignores it), so the size is
    // pushed again a few times while the session starts.
    const winch = (): void => {
      try {
        if (!finished) process.kill(runtimePid, 'SIGWINCH');
      } catch {
        // gone
      }
    };
    resizeRuntime = winch;
    const timers = [100, 300, 1000].map((ms) => setTimeout(() => size && winch(), ms));
    void done.finally(() => timers.forEach(clearTimeout));
  }

  const exitCode = done.then(async (status) => {
    await rm(pidFile, { force: true });
    const code = exitCodeOf(status);
    await Promise.race([masterClosed, new Promise((r) => setTimeout(r, ttyDrainMs))]);
    master?.destroy();
    stdout.end();
    stderr.end();
    return code;
  });
  return {
    stdin,
    stdout,
    stderr,
    exitCode,
    resize: (width, height) => {
      size = [width, height];
      try {
        if (master && !master.destroyed) setWindowSize(masterFd, width, height);
        resizeRuntime();
      } catch {
        // the terminal is already gone
      }
    },
    kill: (signal = 'SIGKILL') => killExec(pidFile, child.pid, signal),
  };
}

/** execSync runs cmd to completion, capturing output; timeoutMs 0 waits forever. On timeout the
 * process is killed and a DeadlineExceeded error is thrown (kubelet reports a probe timeout). */
export async function execSync(cli: OciRuntimeCli, id: string, cmd: string[], timeoutMs: number, pidDir: string): Promise<ExecSyncResult> {
  const session = await startExec(cli, id, { cmd }, pidDir);
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

/** killExec signals the exec'd process (from its pid file), or the runtime's exec process when
 * there is no pid file (yet). */
async function killExec(pidFile: string, runtimePid: number, signal: NodeJS.Signals): Promise<void> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    if (pid > 0) {
      process.kill(pid, signal);
      return;
    }
  } catch {
    // not started yet or already gone
  }
  try {
    process.kill(runtimePid, signal);
  } catch {
    // gone
  }
}
