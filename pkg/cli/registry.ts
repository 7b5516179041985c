// registry.ts: the subcommand table, in the order `skiff --help` lists them.
import type { Command } from './command.js';
import { getCommand } from './commands/get.js';

/** commands lists every subcommand. */
export const commands: Command[] = [getCommand];
