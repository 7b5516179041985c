// conmon.ts: start a container under conmon, the per-container monitor. conmon double-forks
// and outlives the runtime: it holds the container's stdio, writes its output to the CRI log
// file (k8s-file driver), and writes the exit code to <exitDir>/<id> and <persistDir>/exit
// (plus <persistDir>/oom after an OOM kill), which is how a restarted runtime learns what
// happened while it was away.
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, constants as fsConstants } from 'node:fs';
import { RunOnCreateEnv, StartGateEnv } from './oci/cli.js';
import { reapSoon, spawnProcessAsync } from '../util/spawn.js';

/** ConmonOptions describes one container for conmon. */
export interface ConmonOptions {
  conmonPath?: string;
  id: string;
  /** runtimePath: the OCI runtime (our wrapper script) conmon calls `create` on. */
  runtimePath: string;
  bundle: string;
  /** containerPidFile: where the runtime writes the container's init pid. */
  containerPidFile: string;
  conmonPidFile: string;
  logPath: string;
  logSizeMax?: number;
  exitDir: string;
  persistDir: string;
  socketDir: string;
  /** stdin keeps a pipe to the container's stdin open (CRI stdin: true). */
  stdin?: boolean;
  /** tty: the container's process gets a terminal, which conmon holds (its output is stdout). */
  tty?: boolean;
  /** stdinOnce: the container's stdin closes when the first attached client detaches. */
  stdinOnce?: boolean;
  /** start: the runtime starts the container right away (`run --detach` instead of `create`,
   * through the wrapper's RunOnCreateEnv): one runtime process instead of create + start. */
  start?: boolean;
  /** gate: a start gate (gate.ts) the wrapper waits at before it runs the runtime. */
  gate?: string;
  timeoutMs?: number;
}

/** conmonArgs builds conmon's command line. */
export function conmonArgs(o: ConmonOptions): string[] {
  const args = [
    '--api-version', '1',
    '-c', o.id,
    '-u', o.id,
    '-n', o.id,
    '-r', o.runtimePath,
    '-b', o.bundle,
    '-p', o.containerPidFile,
    '-P', o.conmonPidFile,
    '-l', `k8s-file:${o.logPath}`,
    '--exit-dir', o.exitDir,
    '-0', o.persistDir,
    '--socket-dir-path', o.socketDir,
    '--log-level', 'info',
  ];
  if (o.logSizeMax && o.logSizeMax > 0) args.push('--log-size-max', String(o.logSizeMax));
  // -i keeps a pipe to the container's stdin; conmon closes it when an attached client leaves
  // unless told to leave it open (CRI stdinOnce: false).
  if (o.stdin) args.push('-i', ...(o.stdinOnce ? [] : ['--leave-stdin-open']));
  // -t: conmon passes the runtime a console socket and keeps the terminal's master.
  if (o.tty) args.push('-t');
  return args;
}

/** ConmonError is a failed container creation. */
export class ConmonError extends Error {}

/** ConmonLaunch is a conmon on its way: it runs the runtime's `create` (or `run --detach`) at
 * once, or, with a start gate, once the gate opens. */
export interface ConmonLaunch {
  /** pid of conmon's first process (it forks the monitor and exits). */
  pid: number;
  /** created resolves with the container's init pid and the monitor's pid once conmon reports
   * the container created (and, with `start`, running); it rejects with ConmonError if conmon
   * reports a failure or ends first, or timeoutMs after it was first called. */
  created(timeoutMs?: number): Promise<{ pid: number; conmonPid: number }>;
}

/** launchConmon starts conmon for o.id; o.gate names a start gate (gate.ts) the runtime's
 * wrapper waits at. posix_spawn runs on the threadpool: the caller goes on while the kernel
 * loads conmon. */
export async function launchConmon(o: ConmonOptions): Promise<ConmonLaunch> {
  for (const d of [o.exitDir, o.persistDir, o.socketDir]) mkdirSync(d, { recursive: true });
  // conmon closes its own stdio; the log file must exist for readers before the first line.
  closeSync(openSync(o.logPath, fsConstants.O_CREAT | fsConstants.O_WRONLY | fsConstants.O_APPEND, 0o640));

  // posix_spawn, not child_process: see util/spawn.ts (a fork of the runtime's Node process costs
  // 7–8 ms with the event loop blocked).
  const child = await spawnProcessAsync(o.conmonPath ?? '/usr/bin/conmon', conmonArgs(o), {
    cwd: o.bundle,
    setsid: true,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    // LC_ALL=C: conmon, the wrapper and the runtime skip loading locale files (their messages
    // are English either way); the container's environment comes from config.json.
    env: { ...process.env, LC_ALL: 'C', _OCI_SYNCPIPE: '3', ...(o.start ? { [RunOnCreateEnv]: '1' } : {}), ...(o.gate ? { [StartGateEnv]: o.gate } : {}) },
  });
  reapSoon(child); // conmon's first process forks the monitor and exits at once
  const sync = child.pipes[3]!;
  const stderrPipe = child.pipes[2]!;
  let stderr = '';
  stderrPipe.on('data', (d: Buffer) => (stderr += d.toString()));
  stderrPipe.on('error', () => undefined);

  // Read from the start: conmon's report (or its end) may come long before anyone asks.
  const report = new Promise<string>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      // conmon writes one JSON object per message: {"data": <pid or -1>, "message": "…"}
      const end = buf.indexOf('}');
      if (end >= 0) {
        done();
        resolve(buf.slice(0, end + 1));
      }
    };
    const onEnd = (): void => {
      done();
      reject(new ConmonError(`conmon for ${o.id} exited before the container was created: ${stderr.trim() || 'see syslog'}`));
    };
    const done = (): void => {
      sync.off('data', onData);
      sync.off('end', onEnd);
      sync.off('error', onEnd);
      sync.destroy();
      stderrPipe.destroy();
    };
    sync.on('data', onData);
    sync.on('end', onEnd);
    sync.on('error', onEnd);
  });
  report.catch(() => undefined); // a launch nobody waits for any more must not crash the process

  let created: Promise<{ pid: number; conmonPid: number }> | undefined;
  return {
    pid: child.pid,
    created(timeoutMs = 60_000) {
      created ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ConmonError(`conmon for ${o.id}: timed out waiting for the container to be created`)), timeoutMs);
        });
        let message: string;
        try {
          message = await Promise.race([report, timeout]);
        } finally {
          clearTimeout(timer);
        }
        const parsed = JSON.parse(message) as { data: number; message?: string };
        if (parsed.data < 0) throw new ConmonError(`creating container ${o.id}: ${parsed.message?.trim() || 'runtime create failed'}`);
        // conmon wrote its pid file before it started the runtime; a few bytes, read at once.
        const conmonPid = Number(readFileSync(o.conmonPidFile, 'utf8').trim());
        return { pid: parsed.data, conmonPid };
      })();
      return created;
    },
  };
}

/** startConmon runs conmon, which runs `<runtime> create` (or, with `start`, `run --detach`); it
 * resolves with the container's init pid once the container is created (and, with `start`,
 * running). conmon waits for the runtime process, then reads the pid file and reaps the container
 * as its subreaper, so a container that exits at once still gets its exit file. */
export async function startConmon(o: ConmonOptions): Promise<{ pid: number; conmonPid: number }> {
  return (await launchConmon(o)).created(o.timeoutMs);
}

/** reopenLog asks conmon to reopen the container's log file (after it was rotated). conmon reads
 * "<type> <a> <b>" lines from the bundle's ctl fifo; type 2 means reopen logs. */
export function reopenLog(bundle: string): void {
  const fd = openSync(`${bundle}/ctl`, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
  try {
    writeFileSync(fd, '2 0 0\n');
  } finally {
    closeSync(fd);
  }
}

/** processAlive reports whether pid names a live (not zombie) process. /proc is read
 * synchronously: it is memory, and an async read is four threadpool round trips (open, fstat,
 * read, close) for each container on every relist. */
export async function processAlive(pid: number | undefined): Promise<boolean> {
  if (!pid || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
