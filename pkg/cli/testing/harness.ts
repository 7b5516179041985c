// harness.ts: run the CLI in-process with captured output (for unit and integration tests).
import { Readable } from 'node:stream';
import { cliMain } from '../main.js';
import { BufferStream, type CliIO } from '../io.js';

/** CliResult is what one invocation printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** RunOptions set the environment of one invocation. */
export interface RunOptions {
  kubeconfig?: string;
  stdin?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  home?: string;
  now?: () => number;
  signal?: AbortSignal;
  tty?: boolean;
}

/** runCli runs `skiff ARGS` in-process; --kubeconfig is prepended when given. */
export async function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const stdout = new BufferStream(opts.tty ?? false);
  const stderr = new BufferStream(opts.tty ?? false);
  const io: CliIO = {
    stdout,
    stderr,
    stdin: Readable.from(opts.stdin !== undefined ? [Buffer.from(opts.stdin)] : []),
    env: opts.env ?? {},
    cwd: opts.cwd,
    home: opts.home ?? '/nonexistent-skiff-home',
    now: opts.now,
    signal: opts.signal,
    localKubeconfigs: [],
  };
  const code = await cliMain(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig, ...args] : args, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
