// main.ts: cliMain, the `skiff` CLI's entry: global flags, the subcommand table, and one
// place where errors become kubectl-style messages and exit codes.
import '../api/index.js';
import { formatError, isUserFacing, type Command } from './command.js';
import { Factory } from './factory.js';
import { extractGlobalFlags } from './flags.js';
import type { CliIO } from './io.js';
import { commands } from './registry.js';

/** usage is the top-level help text. */
export function usage(list: Command[] = commands): string {
  const width = Math.max(...list.map((c) => c.name.length)) + 2;
  return [
    'skiff controls a Skiff (or any Kubernetes) cluster, like kubectl.',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Global flags: --kubeconfig FILE, --context NAME, -n/--namespace NS, -s/--server URL, --token TOKEN,',
    '              --insecure-skip-tls-verify, --request-timeout DURATION',
    '',
    'Usage: skiff <command> [flags]',
    '',
  ].join('\n');
}

/** findCommand looks a subcommand up by name or alias. */
export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name || c.aliases?.includes(name));
}

/** cliMain runs one CLI invocation and returns its exit code; it never throws. */
export async function cliMain(argv: string[], io: CliIO): Promise<number> {
  let factory: Factory | undefined;
  try {
    const { globals, rest } = extractGlobalFlags(argv);
    const [name, ...args] = rest;
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      io.stdout.write(usage());
      return 0;
    }
    const command = findCommand(name);
    if (!command) {
      io.stderr.write(`error: unknown command "${name}" for "skiff"\nRun 'skiff --help' for usage.\n`);
      return 1;
    }
    if (args[0] === '--help' || args[0] === '-h' || (args.includes('--help') && !args.includes('--'))) {
      io.stdout.write(`${command.summary}.\n\nUsage: skiff ${command.name} [flags] (flags and output follow kubectl ${command.name})\n`);
      return 0;
    }
    factory = new Factory(io, globals);
    return await command.run(factory, args);
  } catch (err) {
    let server: string | undefined;
    try {
      server = factory?.connection().server;
    } catch {
      // the connection itself may be what failed
    }
    io.stderr.write(formatError(err, server) + '\n');
    if (!isUserFacing(err) && io.env.SKIFF_DEBUG) io.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return 1;
  } finally {
    factory?.close();
  }
}
