// logs.ts: read CRI container log files (what `kubectl logs` shows). Each line of the file is
// "<RFC3339Nano time> <stdout|stderr> <P|F> <content>"; P marks a partial line continued by the
// next record. Each container attempt writes its own file, so a restarted container's previous
// log stays readable (kubectl logs --previous) until the agent removes it.
import { open } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** CriLogEntry is one parsed log record. */
export interface CriLogEntry {
  /** time as written, normalized to end in "Z" for UTC. */
  time: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: string;
}

/** LogMessage is one full line of container output (partial records joined). */
export interface LogMessage {
  time: string;
  stream: 'stdout' | 'stderr';
  content: string;
}

/** ReadLogOptions mirrors kubectl logs options. */
export interface ReadLogOptions {
  /** tailLines: only the last N lines (of the initial read). */
  tailLines?: number;
  /** timestamps prefixes each line with its RFC3339Nano time. */
  timestamps?: boolean;
  /** sinceTimeMs: skip lines older than this epoch time in ms. */
  sinceTimeMs?: number;
  /** limitBytes stops after this many bytes of output. */
  limitBytes?: number;
  stream?: 'stdout' | 'stderr' | 'all';
  /** follow keeps reading new lines until signal aborts or stillRunning() turns false. */
  follow?: boolean;
  stillRunning?: () => Promise<boolean>;
  signal?: AbortSignal;
  pollMs?: number;
}

/** containerLogPath is kubelet's layout: <logDirectory>/<container name>/<attempt>.log. */
export function containerLogPath(logDirectory: string, containerName: string, attempt: number): string {
  return path.join(logDirectory, containerName, `${attempt}.log`);
}

/** normalizeTime turns conmon's "+00:00" suffix into "Z" so times print like Kubernetes'. */
export function normalizeTime(t: string): string {
  return t.endsWith('+00:00') ? `${t.slice(0, -6)}Z` : t;
}

/** parseCriLogLine parses one record; undefined for a malformed line. */
export function parseCriLogLine(line: string): CriLogEntry | undefined {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  if (a < 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const c = line.indexOf(' ', b + 1);
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  const content = c < 0 ? '' : line.slice(c + 1);
  return { time: normalizeTime(line.slice(0, a)), stream, partial: tag.split(':').includes('P'), content };
}

/** timeMs parses an RFC3339(Nano) time to epoch ms. */
function timeMs(t: string): number {
  return Date.parse(t.replace(/(\.\d{3})\d+/, '$1'));
}

/** LogAssembler joins partial records into messages, per stream. */
export class LogAssembler {
  private readonly pending = new Map<string, { time: string; content: string }>();

  /** push adds a record and returns the completed message, if any. */
  push(e: CriLogEntry): LogMessage | undefined {
    const prev = this.pending.get(e.stream);
    const time = prev?.time ?? e.time;
    const content = (prev?.content ?? '') + e.content;
    if (e.partial) {
      this.pending.set(e.stream, { time, content });
      return undefined;
    }
    this.pending.delete(e.stream);
    return { time, stream: e.stream, content };
  }

  /** flush returns unfinished partial messages (end of a non-follow read). */
  flush(): LogMessage[] {
    const out = [...this.pending].map(([stream, p]) => ({ time: p.time, stream: stream as LogMessage['stream'], content: p.content }));
    this.pending.clear();
    return out;
  }
}

function format(m: LogMessage, timestamps: boolean): string {
  return timestamps ? `${m.time} ${m.content}\n` : `${m.content}\n`;
}

/** readContainerLog yields formatted lines of a CRI log file. */
export async function* readContainerLog(file: string, opts: ReadLogOptions = {}): AsyncGenerator<string> {
  const wanted = (m: LogMessage): boolean =>
    (opts.stream === undefined || opts.stream === 'all' || m.stream === opts.stream) &&
    (opts.sinceTimeMs === undefined || timeMs(m.time) >= opts.sinceTimeMs);
  let budget = opts.limitBytes && opts.limitBytes > 0 ? opts.limitBytes : Infinity;
  const emit = (m: LogMessage): string | undefined => {
    if (budget <= 0 || !wanted(m)) return undefined;
    let s = format(m, opts.timestamps ?? false);
    if (Buffer.byteLength(s) > budget) s = Buffer.from(s).subarray(0, budget).toString();
    budget -= Buffer.byteLength(s);
    return s;
  };

  const assembler = new LogAssembler();
  let offset = 0;
  let inode = 0;
  let rest = '';
  // a read may end inside a multi-byte character; the decoder carries it to the next read
  let decoder = new StringDecoder('utf8');
  const readNew = async (): Promise<LogMessage[]> => {
    let fh;
    try {
      fh = await open(file, 'r');
    } catch {
      return [];
    }
    try {
      const st = await fh.stat();
      if (st.ino !== inode || st.size < offset) {
        // rotated or truncated: start the new file from the beginning
        inode = st.ino;
        offset = 0;
        rest = '';
        decoder = new StringDecoder('utf8');
      }
      if (st.size === offset) return [];
      const buf = Buffer.alloc(st.size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      rest += decoder.write(buf.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    const out: LogMessage[] = [];
    for (const line of lines) {
      const e = parseCriLogLine(line);
      const m = e && assembler.push(e);
      if (m) out.push(m);
    }
    return out;
  };

  let initial = await readNew();
  if (!opts.follow) initial.push(...assembler.flush());
  if (opts.tailLines !== undefined && opts.tailLines >= 0) {
    initial = opts.tailLines === 0 ? [] : initial.filter(wanted).slice(-opts.tailLines);
  }
  for (const m of initial) {
    const s = emit(m);
    if (s !== undefined) yield s;
  }
  if (!opts.follow) return;

  const pollMs = opts.pollMs ?? 200;
  while (budget > 0 && !opts.signal?.aborted) {
    const running = opts.stillRunning ? await opts.stillRunning() : true;
    const batch = await readNew();
    for (const m of batch) {
      const s = emit(m);
      if (s !== undefined) yield s;
    }
    if (!running && batch.length === 0) {
      for (const m of assembler.flush()) {
        const s = emit(m);
        if (s !== undefined) yield s;
      }
      return;
    }
    if (batch.length === 0) await sleep(pollMs, opts.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
