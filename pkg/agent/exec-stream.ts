// exec-stream.ts: Kubernetes' remotecommand protocol over WebSocket. Every binary message
// starts with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 error (a Status as JSON, sent once
// at the end: Success, or Failure with reason NonZeroExitCode and the exit code as a cause),
// 4 resize ({"Width":80,"Height":24}, applied to the exec's terminal). v5.channel.k8s.io adds
// the close message [255, channel] a client sends to end its stdin. With tty=true the process
// gets a terminal, whose output (stdout and stderr merged) comes on channel 1.
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { RuntimeService } from '../runtime/service.js';

/** ExecProtocols are the subprotocols served, preferred first. */
export const ExecProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** Channel numbers of the protocol. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** exitStatus is the Status sent on the error channel for an exit code. */
export function exitStatus(code: number): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command, exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** ExecSessionInput is what one exec or attach needs. */
export interface ExecSessionInput {
  find: () => Promise<string>;
  runtime: RuntimeService;
  query: URLSearchParams;
  logger: Logger;
  /** attach joins the container's own stdio instead of running query's command. */
  attach?: boolean;
}

const frame = (ch: number, data: Buffer | string) => Buffer.concat([Buffer.from([ch]), Buffer.isBuffer(data) ? data : Buffer.from(data)]);

/** runExecSession serves one exec WebSocket until the command ends, or one attach WebSocket
 * until the container ends or the client leaves. An attach ends with Success, as kubelet's does:
 * the container's exit code is in the pod's status (kubectl run -i reads it there). */
export async function runExecSession(ws: WebSocket, input: ExecSessionInput): Promise<void> {
  const q = input.query;
  const flag = (k: string) => ['1', 'true'].includes(q.get(k) ?? '');
  const cmd = q.getAll('command');
  const sendError = (body: Record<string, unknown>) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(Channel.error, JSON.stringify(body)));
  };
  const pendingInput: Buffer[] = [];
  let onInput: ((m: Buffer) => void) | undefined;
  ws.on('message', (m: Buffer) => (onInput ? onInput(m) : pendingInput.push(m)));
  try {
    if (!input.attach && cmd.length === 0) throw new Error('you must specify at least one command for the container');
    const id = await input.find();
    const session = input.attach ? await input.runtime.attach(id, { stdin: flag('stdin') }) : await input.runtime.exec(id, { cmd, stdin: flag('stdin'), tty: flag('tty') });
    const stdin = session.stdin;
    onInput = (m: Buffer) => {
      if (m.length === 0) return;
      const ch = m[0];
      if (ch === Channel.stdin) stdin?.write(m.subarray(1));
      else if (ch === Channel.close && m[1] === Channel.stdin) stdin?.end();
      else if (ch === Channel.resize) {
        try {
          const { Width, Height } = JSON.parse(m.subarray(1).toString()) as { Width: number; Height: number };
          session.resize(Width, Height);
        } catch {
          // ignore a malformed resize
        }
      }
    };
    for (const m of pendingInput.splice(0)) onInput(m);
    ws.on('close', () => {
      stdin?.end();
      // ends an exec's process; only detaches from an attached container
      void session.kill('SIGKILL').catch(() => undefined);
    });
    const pipe = (stream: NodeJS.ReadableStream, ch: number, wanted: boolean) =>
      new Promise<void>((resolve) => {
        stream.on('data', (d: Buffer) => {
          if (wanted && ws.readyState === ws.OPEN) ws.send(frame(ch, d));
        });
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
    const outs = Promise.all([pipe(session.stdout, Channel.stdout, q.get('stdout') !== '0' && q.get('stdout') !== 'false'), pipe(session.stderr, Channel.stderr, q.get('stderr') !== '0' && q.get('stderr') !== 'false')]);
    const code = await session.exitCode;
    await Promise.race([outs, new Promise((r) => setTimeout(r, 2000))]);
    sendError(exitStatus(input.attach ? 0 : code));
  } catch (e) {
    input.logger.info({ err: (e as Error).message }, input.attach ? 'attach failed' : 'exec failed');
    sendError({ metadata: {}, status: 'Failure', message: (e as Error).message, reason: 'InternalError', code: 500 });
  } finally {
    if (ws.readyState === ws.OPEN) ws.close(1000);
  }
}
