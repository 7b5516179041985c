// exec.ts: running the network tools (ip, iptables-restore, sysctl). Every command goes
// through a Runner so tests and the agent can see, wrap or fake what is run.
import { runCommand } from '../util/spawn.js';

/** CommandResult is what a finished command printed. */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** CommandError is a command that exited non-zero; stderr says why. */
export class CommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly code: number | null,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(`${argv.join(' ')}: exit ${code}: ${stderr.trim()}`);
  }
}

/** Runner runs argv[0] with the rest as arguments, feeding input on stdin. */
export type Runner = (argv: string[], input?: string) => Promise<CommandResult>;

/** execRunner runs commands as child processes (no shell), started with posix_spawn: a fork of
 * the agent's Node process (Node's child_process) stalls its event loop 7–8 ms per command and
 * leaves copy-on-write faults behind, and pod networking runs several commands per pod. */
export const execRunner: Runner = async (argv, input) => {
  const r = await runCommand(argv[0]!, argv.slice(1), { env: process.env, input: input ?? '' });
  if (r.code !== 0) throw new CommandError(argv, r.code, r.stderr, r.stdout);
  return { stdout: r.stdout, stderr: r.stderr };
};

/** inNetns prefixes argv so it runs inside the named network namespace ("" = as is). */
export function inNetns(netns: string, argv: string[]): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
}

/** ipCommand builds `ip [-n netns] args…`. */
export function ipCommand(netns: string, ...args: string[]): string[] {
  return netns ? ['ip', '-n', netns, ...args] : ['ip', ...args];
}
