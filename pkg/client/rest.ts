// rest.ts: the REST client. It speaks HTTP(S) through Node's http/https modules with keep-alive
// agents (not fetch) so watches can stream for minutes and sockets are under our control.
// Failed requests come back as StatusError; transient failures are retried with backoff.
import * as http from 'node:http';
import * as https from 'node:https';
import { StatusError, statusFromBody } from '../api/errors.js';
import { Backoff } from './backoff.js';
import { type Clock, realClock, sleep } from './clock.js';
import { type ResourceRef, toDescriptor } from './descriptor.js';
import { ResourceClient } from './resource.js';

/** HttpMethod is a verb the client sends. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** RestConfig says where the API server is, who we are, and how patient to be. */
export interface RestConfig {
  server: string;
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  token?: string;
  username?: string;
  password?: string;
  insecureSkipTLSVerify?: boolean;
  tlsServerName?: string;
  userAgent?: string;
  /** timeoutMs bounds a whole request, or a stream until its headers arrive (default 30 s; 0 = none). */
  timeoutMs?: number;
  /** maxRetries is how many times a retryable failure is retried (default 5). */
  maxRetries?: number;
  /** retryInitialMs / retryMaxMs shape the retry backoff (default 100 ms doubling to 5 s, 10% jitter). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  clock?: Clock;
  random?: () => number;
}

/** QueryValue is one query parameter value; undefined values are left out. */
export type QueryValue = string | number | boolean | undefined;

/** RequestOptions describes one API call. */
export interface RequestOptions {
  method: HttpMethod;
  path: string;
  query?: Record<string, QueryValue>;
  /** body is sent as JSON unless it is a string or Buffer. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** retry overrides whether transient failures are retried (default: by verb, see isRetryable). */
  retry?: boolean;
}

/** RequestTimeoutError is thrown when a request outlives its timeout. */
export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(method: string, url: string, ms: number) {
    super(`${method} ${url}: no response within ${ms} ms`);
    this.name = 'RequestTimeoutError';
  }
}

const idempotent = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);
const connectionErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** isConnectionError tells whether err is a failure to reach or keep talking to the server. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return connectionErrors.has(e?.code ?? '') || /socket hang up/.test(e?.message ?? '');
}

/**
 * isRetryable decides whether a failed attempt may be repeated. A refused connection or a 429
 * never reached the handler, so any verb may retry; a reset connection or a 503 may have been
 * half-processed, so only idempotent verbs retry those.
 */
export function isRetryable(method: HttpMethod, failure: { error?: unknown; statusCode?: number }): boolean {
  if (failure.statusCode === 429) return true;
  if (failure.statusCode === 503) return idempotent.has(method);
  if (failure.error === undefined) return false;
  if ((failure.error as { code?: string }).code === 'ECONNREFUSED') return true;
  return idempotent.has(method) && isConnectionError(failure.error);
}

/** RestClient sends requests to one API server; make one per process and share it. */
export class RestClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly headers: Record<string, string>;

  constructor(readonly config: RestConfig) {
    this.base = new URL(config.server);
    this.clock = config.clock ?? realClock;
    this.random = config.random ?? Math.random;
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ca: config.ca,
            cert: config.cert,
            key: config.key,
            rejectUnauthorized: !config.insecureSkipTLSVerify,
            servername: config.tlsServerName,
          })
        : new http.Agent({ keepAlive: true });
    this.headers = { 'User-Agent': config.userAgent ?? 'skiff-client/0.1' };
    if (config.token) this.headers.Authorization = `Bearer ${config.token}`;
    else if (config.username !== undefined) {
      this.headers.Authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
    }
  }

  /** resource returns a typed client for one resource (all namespaces until .namespace(ns)). */
  resource<T extends { metadata: object } = any>(ref: ResourceRef): ResourceClient<T> {
    return new ResourceClient<T>(this, toDescriptor(ref));
  }

  /** request sends a call and returns its decoded body (JSON, else text); failures throw StatusError. */
  async request<T = unknown>(opts: RequestOptions): Promise<T> {
    const res = await this.send(opts, false);
    return decodeBody(res.body, res.response.headers['content-type']) as T;
  }

  /** stream sends a call and returns the 2xx response unread, for watches and logs. */
  async stream(opts: RequestOptions): Promise<http.IncomingMessage> {
    return (await this.send(opts, true)).response;
  }

  /** url returns the absolute URL of a path and query. */
  url(path: string, query?: Record<string, QueryValue>): URL {
    const u = new URL(this.base.pathname.replace(/\/+$/, '') + path, this.base);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** close drops idle keep-alive sockets; open streams end when their consumers stop them. */
  close(): void {
    this.agent.destroy();
  }

  private async send(opts: RequestOptions, streaming: boolean): Promise<{ response: http.IncomingMessage; body: Buffer }> {
    const maxRetries = opts.retry === false ? 0 : (this.config.maxRetries ?? 5);
    const backoff = new Backoff({
      initialMs: this.config.retryInitialMs ?? 100,
      maxMs: this.config.retryMaxMs ?? 5000,
      random: this.random,
    });
    for (let attempt = 0; ; attempt++) {
      let response: http.IncomingMessage;
      try {
        response = await this.once(opts, streaming);
      } catch (error) {
        if (opts.signal?.aborted || attempt >= maxRetries || !(opts.retry ?? true) || !isRetryable(opts.method, { error })) throw error;
        await sleep(this.clock, backoff.next(), opts.signal);
        continue;
      }
      const code = response.statusCode ?? 0;
      if (code >= 200 && code < 300 && streaming) return { response, body: Buffer.alloc(0) };
      let body: Buffer;
      try {
        body = await readAll(response, opts.signal);
      } catch (error) {
        if (opts.signal?.aborted || attempt >= maxRetries || !isRetryable(opts.method, { error })) throw error;
        await sleep(this.clock, backoff.next(), opts.signal);
        continue;
      }
      if (code >= 200 && code < 400) return { response, body };
      if (attempt < maxRetries && isRetryable(opts.method, { statusCode: code })) {
        const retryAfter = Number(response.headers['retry-after']);
        const delay = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 60_000) : backoff.next();
        await sleep(this.clock, delay, opts.signal);
        if (!opts.signal?.aborted) continue;
      }
      throw statusFromBody(code, decodeBody(body, response.headers['content-type']));
    }
  }

  private once(opts: RequestOptions, streaming: boolean): Promise<http.IncomingMessage> {
    const url = this.url(opts.path, opts.query);
    const headers: Record<string, string> = { ...this.headers, Accept: opts.accept ?? 'application/json' };
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const mod = url.protocol === 'https:' ? https : http;
    const timeoutMs = opts.timeoutMs ?? this.config.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(abortError());
      const req = mod.request(url, { method: opts.method, headers, agent: this.agent });
      let response: http.IncomingMessage | undefined;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              const err = new RequestTimeoutError(opts.method, url.href, timeoutMs);
              req.destroy(err);
              response?.destroy(err);
            }, timeoutMs)
          : undefined;
      const onAbort = (): void => {
        req.destroy(abortError());
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      req.on('error', (err) => {
        cleanup();
        reject(err);
      });
      req.on('response', (res) => {
        response = res;
        // The timeout covers a whole request, body included; a stream's consumer owns it after the headers.
        if (streaming) clearTimeout(timer);
        else res.once('close', () => clearTimeout(timer));
        if (opts.signal) {
          const signal = opts.signal;
          const onStreamAbort = (): void => {
            res.destroy();
          };
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) res.destroy();
          else {
            signal.addEventListener('abort', onStreamAbort, { once: true });
            res.once('close', () => signal.removeEventListener('abort', onStreamAbort));
          }
        }
        resolve(res);
      });
      req.end(payload);
    });
  }
}

function abortError(): Error {
  const err = new Error('the request was aborted');
  err.name = 'AbortError';
  return err;
}

function readAll(res: http.IncomingMessage, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(signal?.aborted ? abortError() : Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    });
  });
}

function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  if (contentType?.includes('json') || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** isStatusError narrows an unknown error to a StatusError. */
export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}
