// registry.ts: the subcommand table, in the order `skiff --help` lists them.
import type { Command } from './command.js';
import { applyCommand } from './commands/apply.js';
import { createCommand } from './commands/create.js';
import { deleteCommand } from './commands/delete.js';
import { diffCommand } from './commands/diff.js';
import { getCommand } from './commands/get.js';
import { scaleCommand } from './commands/scale.js';

/** commands lists every subcommand. */
export const commands: Command[] = [getCommand, applyCommand, createCommand, deleteCommand, diffCommand, scaleCommand];
