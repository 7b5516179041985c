// exec.ts: `skiff exec [-i] [-t] [-c C] POD|TYPE/NAME -- COMMAND...` and `skiff attach [-i] [-t] [-c C] POD`
// over the WebSocket remotecommand protocol; exec's exit code is the remote command's.
import type { Command } from '../command.js';
import type { Factory } from '../factory.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { remoteCommandUrl, streamRemoteCommand } from '../remotecommand.js';
import { podFor } from './logs.js';

/** runRemote execs or attaches and reports a non-zero exit as kubectl does. */
export async function runRemote(f: Factory, pod: string, sub: 'exec' | 'attach', params: { command?: string[]; container?: string; stdin: boolean; tty: boolean }): Promise<number> {
  const conn = f.connection();
  const url = remoteCommandUrl(conn.server, `/api/v1/namespaces/${encodeURIComponent(f.namespace())}/pods/${encodeURIComponent(pod)}/${sub}`, params);
  const out = f.io.stdout as { columns?: number; rows?: number };
  // With -t on a real terminal, keys go to the remote shell as typed (raw mode), not line by line.
  const stdin = f.io.stdin as { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  const raw = params.tty && params.stdin && stdin.isTTY && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode!(true);
  let code: number;
  try {
    code = await streamRemoteCommand(conn, url, {
      stdin: params.stdin ? f.io.stdin : undefined,
      stdout: f.io.stdout,
      stderr: f.io.stderr,
      tty: params.tty,
      terminalSize: out.columns && out.rows ? { width: out.columns, height: out.rows } : undefined,
      signal: f.io.signal,
    });
  } finally {
    if (raw) stdin.setRawMode!(false);
    if (params.stdin) f.io.stdin.pause();
  }
  if (code !== 0 && sub === 'exec') f.io.stderr.write(`command terminated with exit code ${code}\n`);
  return code;
}

export const execCommand: Command = {
  name: 'exec',
  summary: 'Execute a command in a container',
  async run(f, args) {
    const { values, positionals, afterDash } = parseFlags<{ stdin?: boolean; tty?: boolean; container?: string; quiet?: boolean }>('exec', args, {
      stdin: { type: 'boolean', short: 'i' },
      tty: { type: 'boolean', short: 't' },
      container: { type: 'string', short: 'c' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (positionals.length !== 1) throw new UserError('exec: expected exactly one POD or TYPE/NAME before --');
    if (!afterDash?.length) throw new UserError('you must specify at least one command for the container');
    const pod = await podFor(f, positionals[0]);
    if (values.tty && !values.stdin && !values.quiet) f.io.stderr.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    return runRemote(f, pod, 'exec', { command: afterDash, container: values.container, stdin: values.stdin ?? false, tty: (values.tty && values.stdin) ?? false });
  },
};

export const attachCommand: Command = {
  name: 'attach',
  summary: "Attach to a running container's own stdin, stdout and stderr",
  async run(f, args) {
    const { values, positionals } = parseFlags<{ stdin?: boolean; tty?: boolean; container?: string; quiet?: boolean }>('attach', args, {
      stdin: { type: 'boolean', short: 'i' },
      tty: { type: 'boolean', short: 't' },
      container: { type: 'string', short: 'c' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (positionals.length !== 1) throw new UserError('attach: expected exactly one POD or TYPE/NAME');
    const pod = await podFor(f, positionals[0]);
    if (values.tty && !values.stdin && !values.quiet) f.io.stderr.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    if (values.tty && values.stdin && !values.quiet && f.io.stderr.isTTY) f.io.stderr.write("If you don't see a command prompt, try pressing enter.\n");
    return runRemote(f, pod, 'attach', { container: values.container, stdin: values.stdin ?? false, tty: (values.tty && values.stdin) ?? false });
  },
};
