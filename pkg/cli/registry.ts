// registry.ts: the subcommand table, in the order `skiff --help` lists them.
import type { Command } from './command.js';
import { annotateCommand, labelCommand } from './commands/label.js';
import { applyCommand } from './commands/apply.js';
import { completionCommand } from './commands/completion.js';
import { configCommand } from './commands/config.js';
import { createCommand } from './commands/create.js';
import { deleteCommand } from './commands/delete.js';
import { describeCommand } from './commands/describe.js';
import { diffCommand } from './commands/diff.js';
import { editCommand } from './commands/edit.js';
import { attachCommand, execCommand } from './commands/exec.js';
import { getCommand } from './commands/get.js';
import { imageCommand } from './commands/image.js';
import { apiResourcesCommand, clusterInfoCommand, versionCommand } from './commands/info.js';
import { logsCommand } from './commands/logs.js';
import { rolloutCommand } from './commands/rollout.js';
import { runCommand } from './commands/run.js';
import { scaleCommand } from './commands/scale.js';
import { setCommand } from './commands/set.js';
import { waitCommand } from './commands/wait.js';
import { scheduleCommand, whyCommand } from './commands/why.js';

/** commands lists every subcommand. */
export const commands: Command[] = [
  getCommand,
  describeCommand,
  applyCommand,
  createCommand,
  deleteCommand,
  diffCommand,
  editCommand,
  labelCommand,
  annotateCommand,
  scaleCommand,
  setCommand,
  rolloutCommand,
  waitCommand,
  whyCommand,
  scheduleCommand,
  logsCommand,
  execCommand,
  attachCommand,
  runCommand,
  imageCommand,
  clusterInfoCommand,
  apiResourcesCommand,
  versionCommand,
  configCommand,
  completionCommand(() => commands.map((c) => c.name)),
];
