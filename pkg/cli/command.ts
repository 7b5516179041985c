// command.ts: the shape of a subcommand and the error printing every command shares.
import { StatusError } from '../api/errors.js';
import { isConnectionError, RequestTimeoutError } from '../client/rest.js';
import type { Factory } from './factory.js';
import { UserError } from './io.js';

/** Command is one `skiff` subcommand. */
export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  /** run executes the command and returns the exit code. */
  run(f: Factory, args: string[]): Promise<number>;
}

/** formatError turns an error into the one line kubectl would print for it. */
export function formatError(err: unknown, server?: string): string {
  if (err instanceof UserError) return err.message.startsWith('error: ') ? err.message : `error: ${err.message}`;
  if (err instanceof StatusError) return `Error from server${err.reason ? ` (${err.reason})` : ''}: ${err.message}`;
  if (err instanceof RequestTimeoutError) return `error: ${err.message}`;
  if (isConnectionError(err)) {
    const host = server ? new URL(server).host : 'the server';
    return `The connection to the server ${host} was refused - did you specify the right host or port?`;
  }
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ENOENT' || e?.code === 'EACCES' || e?.code === 'EISDIR') return `error: ${e.message}`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}

/** isUserFacing tells whether an error is expected (no stack trace is useful for it). */
export function isUserFacing(err: unknown): boolean {
  const e = err as { code?: string };
  return err instanceof UserError || err instanceof StatusError || err instanceof RequestTimeoutError || isConnectionError(err) || ['ENOENT', 'EACCES', 'EISDIR'].includes(e?.code ?? '');
}
