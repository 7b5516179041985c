// registry-client.ts: HTTP client for the OCI distribution API v2 with the registry auth
// dance (anonymous, then Bearer token or Basic on 401) and the plain-HTTP policy.
import { ImageError } from './errors.js';

/** FetchFn is the fetch the client uses; tests inject one that counts requests. */
export type FetchFn = typeof fetch;

/** RegistryClientOptions configures a client for one registry. */
export interface RegistryClientOptions {
  /** insecureRegistries may be reached over plain HTTP, but only when they are loopback addresses. */
  insecureRegistries?: string[];
  /** auth is used for Basic auth and to obtain Bearer tokens. */
  auth?: { username: string; password: string };
  fetch?: FetchFn;
}

/** isLoopbackHost tells whether "host[:port]" names the local machine. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = splitHostPort(hostPort).host.toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function splitHostPort(hostPort: string): { host: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (v6) return { host: v6[1]!, port: v6[2] };
  const i = hostPort.lastIndexOf(':');
  if (i >= 0 && hostPort.indexOf(':') === i) return { host: hostPort.slice(0, i), port: hostPort.slice(i + 1) };
  return { host: hostPort };
}

/**
 * registryBaseUrl returns the API base for a registry domain: HTTPS, except plain HTTP for a
 * loopback registry listed as insecure. Docker Hub's API lives on registry-1.docker.io.
 */
export function registryBaseUrl(domain: string, insecureRegistries: string[] = []): string {
  if (domain === 'docker.io') return 'https://registry-1.docker.io';
  const insecure = insecureRegistries.includes(domain) && isLoopbackHost(domain);
  return `${insecure ? 'http' : 'https'}://${domain}`;
}

/** Challenge is a parsed WWW-Authenticate header. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** parseChallenge parses `Bearer realm="…",service="…",scope="…"`. */
export function parseChallenge(header: string): Challenge {
  const m = /^\s*(\S+)\s*(.*)$/.exec(header);
  const scheme = (m?.[1] ?? '').toLowerCase();
  const params: Record<string, string> = {};
  const re = /([a-zA-Z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const p of (m?.[2] ?? '').matchAll(re)) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return { scheme, params };
}

/** RequestOptions describes one registry API call. */
export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** repository and actions form the token scope: "repository:web:pull". */
  repository: string;
  actions: 'pull' | 'pull,push';
  /** absolute is a full URL (e.g. an upload Location) instead of a path under /v2/. */
  absolute?: string;
}

/** RegistryClient talks to one registry, caching tokens per scope. */
export class RegistryClient {
  readonly baseUrl: string;
  private readonly fetchFn: FetchFn;
  private readonly tokens = new Map<string, string>();
  private basic = false;

  constructor(
    readonly domain: string,
    private readonly opts: RegistryClientOptions = {},
  ) {
    this.baseUrl = registryBaseUrl(domain, opts.insecureRegistries);
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** request performs an API call, authenticating on 401 and retrying once. */
  async request(path: string, ro: RequestOptions): Promise<Response> {
    const url = ro.absolute ?? `${this.baseUrl}/v2/${path}`;
    const scope = `repository:${ro.repository}:${ro.actions}`;
    let res = await this.send(url, ro, scope);
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
    await res.body?.cancel();
    if (challenge.scheme === 'bearer') {
      await this.fetchToken(challenge, scope);
    } else if (challenge.scheme === 'basic' && this.opts.auth) {
      this.basic = true;
    } else {
      throw new ImageError('Unauthorized', `${this.domain}: authentication required`);
    }
    res = await this.send(url, ro, scope);
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new ImageError('Unauthorized', `${this.domain}: access to ${ro.repository} denied (${res.status})`);
    }
    return res;
  }

  private async send(url: string, ro: RequestOptions, scope: string): Promise<Response> {
    const headers: Record<string, string> = { ...ro.headers };
    const token = this.tokens.get(scope);
    if (token) headers.authorization = `Bearer ${token}`;
    else if (this.basic && this.opts.auth) headers.authorization = basicHeader(this.opts.auth);
    try {
      return await this.fetchFn(url, { method: ro.method ?? 'GET', headers, body: ro.body, redirect: 'follow' });
    } catch (err) {
      throw new ImageError('Registry', `${ro.method ?? 'GET'} ${url}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<void> {
    const realm = challenge.params.realm;
    if (!realm) throw new ImageError('Unauthorized', `${this.domain}: bearer challenge without realm`);
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new ImageError('Unauthorized', `${this.domain}: bad token realm ${realm}`);
    }
    // Credentials never travel in clear text, except to a token server on this machine.
    if (realmUrl.protocol !== 'https:' && !(realmUrl.protocol === 'http:' && isLoopbackHost(realmUrl.host))) {
      throw new ImageError('Unauthorized', `${this.domain}: refusing non-HTTPS token realm ${realm}`);
    }
    if (challenge.params.service) realmUrl.searchParams.set('service', challenge.params.service);
    realmUrl.searchParams.set('scope', challenge.params.scope ?? scope);
    const headers: Record<string, string> = {};
    if (this.opts.auth) headers.authorization = basicHeader(this.opts.auth);
    let res: Response;
    try {
      res = await this.fetchFn(realmUrl, { headers });
    } catch (err) {
      throw new ImageError('Registry', `token request to ${realmUrl.origin}: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ImageError('Unauthorized', `${this.domain}: token server answered ${res.status}`);
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new ImageError('Unauthorized', `${this.domain}: token server returned no token`);
    this.tokens.set(scope, token);
  }
}

function basicHeader(auth: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/** responseError turns an unexpected registry response into an ImageError. */
export async function responseError(res: Response, what: string): Promise<ImageError> {
  let detail = '';
  try {
    detail = (await res.text()).slice(0, 300);
  } catch {
    // the body is only for the message
  }
  const reason = res.status === 404 ? 'NotFound' : res.status === 401 || res.status === 403 ? 'Unauthorized' : 'Registry';
  return new ImageError(reason, `${what}: registry answered ${res.status}${detail ? `: ${detail.trim()}` : ''}`);
}
