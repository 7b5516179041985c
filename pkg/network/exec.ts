// exec.ts: running the network tools (ip, iptables-restore, sysctl). Every command goes
// through a Runner so tests and the agent can see, wrap or fake what is run.
import { spawn } from 'node:child_process';

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

/** execRunner runs commands as child processes (no shell). */
export const execRunner: Runner = (argv, input) =>
  new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new CommandError(argv, code, stderr, stdout))));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });

/** inNetns prefixes argv so it runs inside the named network namespace ("" = as is). */
export function inNetns(netns: string, argv: string[]): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
}

/** ipCommand builds `ip [-n netns] args…`. */
export function ipCommand(netns: string, ...args: string[]): string[] {
  return netns ? ['ip', '-n', netns, ...args] : ['ip', ...args];
}
