// cli.ts: drive the low-level OCI runtime (crun or runc) through its command line.
// Every call goes through a small wrapper script under the runtime's state dir that pins
// `--root` there (so tests and several runtimes on one host never see each other's
// containers) and, for crun on hybrid cgroup hosts whose cgroup2 mount has controllers,
// hides /sys/fs/cgroup/unified in a private mount namespace: crun refuses such hosts
// outright (even with --cgroup-manager=disabled), while the v1 hierarchies it really uses are
// unaffected. That wrapper is perl where the syscall numbers are known, so each call is two
// processes (perl, crun) rather than five.
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand, spawnProcessAsync, type RunResult, type SpawnedProcess, type SpawnStdio } from '../../util/spawn.js';

/** OciRuntimeName names a supported low-level runtime. */
export type OciRuntimeName = 'crun' | 'runc';

/** OciState is the output of `<runtime> state`. */
export interface OciState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'stopped' | 'paused';
  bundle: string;
}

/** OciRuntimeOptions configures OciRuntimeCli. */
export interface OciRuntimeOptions {
  name: OciRuntimeName;
  /** binary: path of crun/runc; defaults to /usr/bin/crun or /usr/sbin/runc. */
  binary?: string;
  /** root: the runtime's --root (state of its containers). */
  root: string;
  /** wrapperPath: where to write the wrapper script conmon and we execute. */
  wrapperPath: string;
  /** hideUnifiedCgroup: run in a mount namespace without /sys/fs/cgroup/unified (crun on hybrid hosts). */
  hideUnifiedCgroup: boolean;
}

/** defaultBinary returns the usual install path of a runtime. */
export function defaultBinary(name: OciRuntimeName): string {
  return name === 'crun' ? '/usr/bin/crun' : '/usr/sbin/runc';
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** mountSyscalls: unshare(2), mount(2) and umount2(2) numbers per Node arch, for the perl wrapper. */
const mountSyscalls: Partial<Record<string, { unshare: number; mount: number; umount2: number }>> = {
  x64: { unshare: 272, mount: 165, umount2: 166 },
  arm64: { unshare: 97, mount: 40, umount2: 39 },
};

function perlQuote(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** RunOnCreateEnv: with this variable set to 1 in its environment, the wrapper turns the
 * `create` conmon asks for into `run --detach`: the container is created and started by one
 * runtime process (see startConmon). */
export const RunOnCreateEnv = 'SKIFF_OCI_RUN_ON_CREATE';

/** StartGateEnv names the FIFO a `create` waits at before the runtime runs (see gate.ts). */
export const StartGateEnv = 'SKIFF_OCI_START_GATE';

/** shellRunOnCreate is the sh form of the start gate and the create → run --detach rewrite
 * (conmon passes the subcommand first: the wrapper pins every global option itself). */
const shellRunOnCreate =
  `if [ -n "$${StartGateEnv}" ] && [ "$1" = create ]; then IFS= read -r gate < "$${StartGateEnv}" || gate=; ` +
  `[ "$gate" = 1 ] || { echo 'start cancelled' >&2; exit 1; }; fi\n` +
  `if [ "$${RunOnCreateEnv}" = 1 ] && [ "$1" = create ]; then shift; set -- run --detach "$@"; fi\n`;

/** perlStartGate is the perl form of the start gate. The FIFO is opened O_RDONLY|O_NONBLOCK
 * (0x800 on x86_64 and arm64) so that a gate nobody holds any more reads as end of file instead of
 * blocking the open; then select waits for the byte (EAGAIN is 11). */
const perlStartGate =
  `if (@ARGV && $ARGV[0] eq 'create' && defined $ENV{${StartGateEnv}}) {\n` +
  `  sysopen(my $gate, $ENV{${StartGateEnv}}, 0x800) or die "start gate: $!\\n";\n` +
  `  my ($bits, $byte, $n) = ('', '');\n` +
  `  vec($bits, fileno($gate), 1) = 1;\n` +
  `  until (defined($n = sysread($gate, $byte, 1))) { die "start gate: $!\\n" if $! + 0 != 11; select(my $r = $bits, undef, undef, undef); }\n` +
  `  die "start cancelled\\n" unless $n && $byte eq '1';\n` +
  `}\n`;

/** wrapperScript renders the wrapper script. perlPath, when given, is used for the hybrid-cgroup
 * case on architectures whose syscall numbers are known. */
export function wrapperScript(binary: string, root: string, hideUnifiedCgroup: boolean, perlPath?: string, arch: string = process.arch): string {
  const run = `${shellQuote(binary)} --root ${shellQuote(root)}`;
  if (!hideUnifiedCgroup) return `#!/bin/sh\n${shellRunOnCreate}exec ${run} "$@"\n`;
  const nr = mountSyscalls[arch];
  if (perlPath && nr) {
    // The same as the shell form below, in one process instead of four (sh, unshare, sh, umount):
    // every runtime call pays for this chain, and process starts dominate container start time.
    // perl-base is Essential on Debian; syscall() wants its string arguments in variables.
    return (
      `#!${perlPath}\n` +
      '# crun in a private mount namespace (propagation slave: the container rootfs mounted on the\n' +
      '# host is visible, nothing leaks back) without /sys/fs/cgroup/unified; see oci/cli.ts.\n' +
      `my ($none, $slash, $unified, $bin) = ('none', '/', '/sys/fs/cgroup/unified', ${perlQuote(binary)});\n` +
      perlStartGate +
      `syscall(${nr.unshare}, 0x20000) == 0 or die "unshare: $!\\n"; # CLONE_NEWNS\n` +
      `syscall(${nr.mount}, $none, $slash, 0, 0x84000, 0) == 0 or die "mount: $!\\n"; # MS_REC|MS_SLAVE\n` +
      `syscall(${nr.umount2}, $unified, 2); # MNT_DETACH; not mounted is fine\n` +
      `splice(@ARGV, 0, 1, 'run', '--detach') if ($ENV{${RunOnCreateEnv}} // '') eq '1' && @ARGV && $ARGV[0] eq 'create';\n` +
      `exec { $bin } $bin, '--root', ${perlQuote(root)}, @ARGV or die "exec $bin: $!\\n";\n`
    );
  }
  // --propagation slave: the container rootfs mounted on the host is visible, nothing leaks back.
  return (
    '#!/bin/sh\n' +
    shellRunOnCreate +
    `exec unshare -m --propagation slave /bin/sh -c 'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh ${run} "$@"\n`
  );
}

/** OciRuntimeError is a failed runtime command with its stderr. */
export class OciRuntimeError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`${args.join(' ')}: ${stderr.trim() || 'failed'}`);
  }

  /** notFound reports whether the runtime said the container does not exist. */
  get notFound(): boolean {
    return /does not exist|not found|no such file|cannot find/i.test(this.stderr);
  }
}

function execArgs(id: string, cmd: string[], opts: { pidFile: string; tty?: boolean; consoleSocket?: string; cwd?: string; env?: string[] }): string[] {
  const args = ['exec', '--pid-file', opts.pidFile];
  if (opts.tty) args.push('--tty');
  if (opts.consoleSocket) args.push('--console-socket', opts.consoleSocket);
  if (opts.cwd) args.push('--cwd', opts.cwd);
  for (const e of opts.env ?? []) args.push('--env', e);
  args.push(id, ...cmd);
  return args;
}

/** OciRuntimeCli runs runtime commands for one runtime root. */
export class OciRuntimeCli {
  readonly name: OciRuntimeName;
  readonly binary: string;
  readonly root: string;
  readonly wrapperPath: string;
  private readonly hideUnifiedCgroup: boolean;

  constructor(opts: OciRuntimeOptions) {
    this.name = opts.name;
    this.binary = opts.binary ?? defaultBinary(opts.name);
    this.root = opts.root;
    this.wrapperPath = opts.wrapperPath;
    this.hideUnifiedCgroup = opts.hideUnifiedCgroup;
  }

  /** install writes the wrapper script and creates the root directory. */
  async install(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await mkdir(path.dirname(this.wrapperPath), { recursive: true });
    const perl = existsSync('/usr/bin/perl') ? '/usr/bin/perl' : undefined;
    await writeFile(this.wrapperPath, wrapperScript(this.binary, this.root, this.hideUnifiedCgroup, perl));
    await chmod(this.wrapperPath, 0o755);
  }

  /** run executes the runtime with args and returns stdout. posix_spawn, not child_process: a
   * fork of the runtime's Node process blocks its event loop 7–8 ms and leaves copy-on-write
   * faults behind (see util/spawn.ts); stop, remove and status checks run this. */
  async run(args: string[], timeoutMs = 30_000): Promise<string> {
    let r: RunResult;
    try {
      r = await runCommand(this.wrapperPath, args, { env: { ...process.env, LC_ALL: 'C' }, timeoutMs });
    } catch (e) {
      throw new OciRuntimeError(args, (e as Error).message);
    }
    if (r.timedOut) throw new OciRuntimeError(args, `timed out after ${timeoutMs}ms; ${r.stderr}`);
    if (r.code !== 0) throw new OciRuntimeError(args, r.stderr || `exit code ${r.code}`);
    return r.stdout;
  }

  /** state returns the container's runtime state, or undefined if the runtime does not know it. */
  async state(id: string): Promise<OciState | undefined> {
    try {
      return JSON.parse(await this.run(['state', id])) as OciState;
    } catch (e) {
      if (e instanceof OciRuntimeError && e.notFound) return undefined;
      throw e;
    }
  }

  /** kill sends a signal ("TERM", "KILL", …) to the container's init (or all its processes). */
  async kill(id: string, signal: string, all = false): Promise<void> {
    await this.run(all ? ['kill', '--all', id, signal] : ['kill', id, signal]);
  }

  /** delete removes the container from the runtime (force kills it first); unknown ids are fine. */
  async delete(id: string): Promise<void> {
    try {
      await this.run(['delete', '--force', id]);
    } catch (e) {
      if (e instanceof OciRuntimeError && e.notFound) return;
      throw e;
    }
  }

  /** spawnExec starts `exec` of a process in the container with posix_spawn (no fork of the
   * runtime's Node process: probes run this); pidFile receives the process pid. Without `stdio`,
   * pipes 1 and 2 are its stdout and stderr and pipe 0 its stdin (with stdin). With tty, the
   * runtime makes a terminal in the container and either sends its master over consoleSocket or
   * (without one) relays it over its own stdio, which must then be a terminal (`stdio`: an fd of
   * ours to use instead of pipes). */
  spawnExec(id: string, cmd: string[], opts: { pidFile: string; tty?: boolean; consoleSocket?: string; stdin?: boolean; stdio?: number }): Promise<SpawnedProcess> {
    const stdio: SpawnStdio[] = opts.stdio !== undefined ? [opts.stdio, opts.stdio, opts.stdio] : [opts.stdin ? 'input' : 'ignore', 'pipe', 'pipe'];
    return spawnProcessAsync(this.wrapperPath, execArgs(id, cmd, opts), { env: { ...process.env, LC_ALL: 'C' }, stdio });
  }
}
