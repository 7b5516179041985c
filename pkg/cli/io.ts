// io.ts: what a CLI invocation reads and writes. cliMain never touches process.* directly, so
// tests run commands in-process with captured output and a fake environment.
import type { Readable } from 'node:stream';

/** OutputStream is where a command writes (process.stdout or a test buffer). */
export interface OutputStream {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
}

/** CliIO is the world a command runs in. */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: Readable;
  env: Record<string, string | undefined>;
  /** cwd resolves relative paths (default process.cwd()). */
  cwd?: string;
  /** home is the home directory for ~/.kube/config (default os.homedir()). */
  home?: string;
  /** now is the clock (default Date.now). */
  now?: () => number;
  /** signal ends long-running commands (watch, logs -f, rollout status). */
  signal?: AbortSignal;
  /** localKubeconfigs overrides where the local server's kubeconfig is looked for. */
  localKubeconfigs?: string[];
}

/** UserError is a mistake the user can fix: it prints as "error: <message>" without a stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** readStream reads a stream to the end as UTF-8. */
export async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

/** BufferStream collects output; tests read it with text(). */
export class BufferStream implements OutputStream {
  private readonly chunks: string[] = [];
  constructor(readonly isTTY = false) {}

  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }

  /** text is everything written so far. */
  text(): string {
    return this.chunks.join('');
  }
}
