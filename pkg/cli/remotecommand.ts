// remotecommand.ts: the client side of Kubernetes' remotecommand protocol over WebSocket
// (exec and attach). Every binary message starts with a channel byte: 0 stdin, 1 stdout,
// 2 stderr, 3 error (a Status as JSON: Success, or Failure with reason NonZeroExitCode and the
// exit code as a cause), 4 resize ({"Width","Height"}). v5.channel.k8s.io adds [255, 0], which
// the client sends to close its stdin.
import type { Readable } from 'node:stream';
import WebSocket from 'ws';
import type { ClusterConnection } from '../client/kubeconfig.js';
import { UserError, type OutputStream } from './io.js';

/** PROTOCOLS are the subprotocols offered, preferred first. */
export const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** Channel numbers of the protocol. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** StreamOptions connect a remote command to local streams. */
export interface StreamOptions {
  stdin?: Readable;
  stdout: OutputStream;
  stderr: OutputStream;
  tty?: boolean;
  /** terminalSize is sent once on the resize channel when tty is set. */
  terminalSize?: { width: number; height: number };
  signal?: AbortSignal;
}

/** RemoteStatus is the Status a remote command ends with. */
interface RemoteStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/** exitCodeOf turns the final Status into an exit code (Failure without one is an error). */
export function exitCodeOf(status: RemoteStatus | undefined): number {
  if (!status || status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return code;
  }
  throw new UserError(status.message ?? 'the remote command failed');
}

/** remoteCommandUrl builds the ws(s):// URL of pods/NAME/exec or /attach. */
export function remoteCommandUrl(server: string, path: string, params: { command?: string[]; container?: string; stdin: boolean; tty: boolean }): URL {
  const u = new URL(server.replace(/\/+$/, '') + path);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const c of params.command ?? []) u.searchParams.append('command', c);
  if (params.container) u.searchParams.set('container', params.container);
  u.searchParams.set('stdin', String(params.stdin));
  u.searchParams.set('stdout', 'true');
  u.searchParams.set('stderr', String(!params.tty));
  u.searchParams.set('tty', String(params.tty));
  return u;
}

/** streamRemoteCommand runs the WebSocket session to its end and returns the remote exit code. */
export function streamRemoteCommand(conn: ClusterConnection, url: URL, opts: StreamOptions): Promise<number> {
  const headers: Record<string, string> = {};
  if (conn.token) headers.Authorization = `Bearer ${conn.token}`;
  else if (conn.username !== undefined) headers.Authorization = `Basic ${Buffer.from(`${conn.username}:${conn.password ?? ''}`).toString('base64')}`;
  const tls = { ca: conn.ca, cert: conn.cert, key: conn.key, rejectUnauthorized: !conn.insecureSkipTLSVerify, servername: conn.tlsServerName };
  const ws = new WebSocket(url, PROTOCOLS, { headers, ...tls } as WebSocket.ClientOptions);
  return new Promise<number>((resolve, reject) => {
    let status: RemoteStatus | undefined;
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      opts.stdin?.off('data', onData);
      opts.stdin?.off('end', onEnd);
      fn();
    };
    const onAbort = (): void => ws.close();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const send = (channel: number, data: Buffer | string): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
    };
    const onData = (chunk: Buffer | string): void => send(Channel.stdin, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    const onEnd = (): void => {
      if (ws.protocol === 'v5.channel.k8s.io') send(Channel.close, Buffer.from([Channel.stdin]));
    };
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        let message = body || `the server responded with status ${res.statusCode}`;
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? message;
        } catch {
          // not a Status
        }
        finish(() => reject(new UserError(`unable to upgrade connection: ${message}`)));
      });
    });
    ws.on('open', () => {
      if (opts.tty && opts.terminalSize) send(Channel.resize, JSON.stringify({ Width: opts.terminalSize.width, Height: opts.terminalSize.height }));
      if (opts.stdin) {
        opts.stdin.on('data', onData);
        opts.stdin.once('end', onEnd);
        opts.stdin.resume();
      }
    });
    ws.on('message', (data: Buffer) => {
      if (data.length === 0) return;
      const payload = data.subarray(1);
      switch (data[0]) {
        case Channel.stdout:
          opts.stdout.write(payload);
          break;
        case Channel.stderr:
          opts.stderr.write(payload);
          break;
        case Channel.error:
          try {
            status = JSON.parse(payload.toString('utf8')) as RemoteStatus;
          } catch {
            status = { status: 'Failure', message: payload.toString('utf8') };
          }
          break;
      }
    });
    ws.on('error', (err) => finish(() => reject(err)));
    ws.on('close', () =>
      finish(() => {
        try {
          resolve(exitCodeOf(status));
        } catch (err) {
          reject(err);
        }
      }),
    );
  });
}
