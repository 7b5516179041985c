// kubeconfig.ts: reading and writing kubeconfig files, the same format kubectl uses, so a
// Skiff server's kubeconfig works with kubectl and kubectl's works with Skiff.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import yaml from 'js-yaml';

/** KubeconfigCluster is one entry of `clusters`. */
export interface KubeconfigCluster {
  server: string;
  'certificate-authority-data'?: string;
  'certificate-authority'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}

/** KubeconfigUser is one entry of `users` (the credentials Skiff understands). */
export interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  'client-certificate-data'?: string;
  'client-key-data'?: string;
  'client-certificate'?: string;
  'client-key'?: string;
  username?: string;
  password?: string;
}

/** KubeconfigContext is one entry of `contexts`. */
export interface KubeconfigContext {
  cluster: string;
  user: string;
  namespace?: string;
}

/** Kubeconfig is a parsed kubeconfig file (or several merged, as KUBECONFIG allows). */
export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: KubeconfigCluster }[];
  users: { name: string; user: KubeconfigUser }[];
  contexts: { name: string; context: KubeconfigContext }[];
  'current-context'?: string;
  preferences?: Record<string, unknown>;
  /** baseDir resolves relative file references (not serialized). */
  baseDir?: string;
}

/** ClusterConnection is everything needed to talk to one API server as one user. */
export interface ClusterConnection {
  contextName: string;
  server: string;
  namespace: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  username?: string;
  password?: string;
  insecureSkipTLSVerify?: boolean;
  tlsServerName?: string;
}

/** LoadOptions chooses the kubeconfig file(s); defaults come from the process environment. */
export interface LoadOptions {
  /** path is an explicit file (like --kubeconfig); it must exist. */
  path?: string;
  /** env supplies KUBECONFIG (default process.env). */
  env?: Record<string, string | undefined>;
  /** home is the home directory for ~/.kube/config (default os.homedir()). */
  home?: string;
}

/** kubeconfigPaths lists the files loadKubeconfig reads, in precedence order. */
export function kubeconfigPaths(opts: LoadOptions = {}): string[] {
  if (opts.path) return [opts.path];
  const env = opts.env ?? process.env;
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter((p) => p !== '');
  if (fromEnv.length > 0) return fromEnv;
  return [path.join(opts.home ?? os.homedir(), '.kube', 'config')];
}

/** loadKubeconfig reads the kubeconfig from an explicit path, $KUBECONFIG (merged) or ~/.kube/config. */
export function loadKubeconfig(opts: LoadOptions = {}): Kubeconfig {
  const paths = kubeconfigPaths(opts);
  const explicit = opts.path !== undefined;
  const configs: Kubeconfig[] = [];
  for (const p of paths) {
    if (!explicit && !fs.existsSync(p)) continue; // KUBECONFIG may name files that do not exist yet
    configs.push(parseKubeconfig(fs.readFileSync(p, 'utf8'), path.dirname(path.resolve(p))));
  }
  if (configs.length === 0) throw new Error(`no kubeconfig found (looked in ${paths.join(', ')})`);
  return mergeKubeconfigs(configs);
}

/** parseKubeconfig parses kubeconfig YAML; baseDir resolves relative certificate and token paths. */
export function parseKubeconfig(text: string, baseDir = process.cwd()): Kubeconfig {
  const raw = (yaml.load(text) ?? {}) as Partial<Kubeconfig>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error('kubeconfig: not a YAML mapping');
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: raw.clusters ?? [],
    users: raw.users ?? [],
    contexts: raw.contexts ?? [],
    'current-context': raw['current-context'],
    preferences: raw.preferences ?? {},
    baseDir,
  };
}

/** mergeKubeconfigs merges as kubectl does: the first file to define a name or current-context wins. */
export function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const merged: Kubeconfig = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [], preferences: {} };
  for (const c of configs) {
    // baseDir travels with each cluster and user, so relative paths resolve against the file that defined them.
    const withBase = <T extends { name: string }>(items: T[], key: 'cluster' | 'user'): T[] =>
      items.map((i) => ({ ...i, [key]: { ...(i as any)[key], baseDir: c.baseDir } }));
    addNew(merged.clusters, withBase(c.clusters, 'cluster'));
    addNew(merged.users, withBase(c.users, 'user'));
    addNew(merged.contexts, c.contexts);
    merged['current-context'] ??= c['current-context'] || undefined;
    merged.baseDir ??= c.baseDir;
  }
  return merged;
}

function addNew<T extends { name: string }>(into: T[], items: T[]): void {
  for (const item of items) if (!into.some((i) => i.name === item.name)) into.push(item);
}

/** resolveContext turns a context (current-context unless overridden, like --context) into a connection. */
export function resolveContext(kc: Kubeconfig, contextOverride?: string): ClusterConnection {
  const contextName = contextOverride ?? kc['current-context'];
  if (!contextName) throw new Error('kubeconfig: no current-context set and no context given');
  const ctx = kc.contexts.find((c) => c.name === contextName)?.context;
  if (!ctx) throw new Error(`kubeconfig: context "${contextName}" not found`);
  const cluster = kc.clusters.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster) throw new Error(`kubeconfig: cluster "${ctx.cluster}" of context "${contextName}" not found`);
  if (!cluster.server) throw new Error(`kubeconfig: cluster "${ctx.cluster}" has no server`);
  const user: KubeconfigUser = (ctx.user ? kc.users.find((u) => u.name === ctx.user)?.user : undefined) ?? {};
  if (ctx.user && !kc.users.some((u) => u.name === ctx.user)) {
    throw new Error(`kubeconfig: user "${ctx.user}" of context "${contextName}" not found`);
  }
  const clusterBase = (cluster as { baseDir?: string }).baseDir ?? kc.baseDir ?? process.cwd();
  const userBase = (user as { baseDir?: string }).baseDir ?? kc.baseDir ?? process.cwd();
  const conn: ClusterConnection = {
    contextName,
    server: cluster.server.replace(/\/+$/, ''),
    namespace: ctx.namespace || 'default',
  };
  const ca = dataOrFile(cluster['certificate-authority-data'], cluster['certificate-authority'], clusterBase);
  if (ca) conn.ca = ca;
  if (cluster['insecure-skip-tls-verify']) conn.insecureSkipTLSVerify = true;
  if (cluster['tls-server-name']) conn.tlsServerName = cluster['tls-server-name'];
  const cert = dataOrFile(user['client-certificate-data'], user['client-certificate'], userBase);
  const key = dataOrFile(user['client-key-data'], user['client-key'], userBase);
  if (cert) conn.cert = cert;
  if (key) conn.key = key;
  if (user.token) conn.token = user.token;
  else if (user.tokenFile) conn.token = fs.readFileSync(path.resolve(userBase, user.tokenFile), 'utf8').trim();
  if (user.username !== undefined) conn.username = user.username;
  if (user.password !== undefined) conn.password = user.password;
  return conn;
}

function dataOrFile(data: string | undefined, file: string | undefined, baseDir: string): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return fs.readFileSync(path.resolve(baseDir, file));
  return undefined;
}

/** KubeconfigSpec is what buildKubeconfig needs: one cluster, one user, one context. */
export interface KubeconfigSpec {
  server: string;
  /** name is used for the cluster, user and context (default "skiff"). */
  name?: string;
  namespace?: string;
  ca?: Buffer | string;
  insecureSkipTLSVerify?: boolean;
  token?: string;
  clientCert?: Buffer | string;
  clientKey?: Buffer | string;
  username?: string;
  password?: string;
}

/** buildKubeconfig makes a single-context kubeconfig with certificates embedded as data. */
export function buildKubeconfig(spec: KubeconfigSpec): Kubeconfig {
  const name = spec.name ?? 'skiff';
  const b64 = (v: Buffer | string): string => Buffer.from(v).toString('base64');
  const cluster: KubeconfigCluster = { server: spec.server };
  if (spec.ca) cluster['certificate-authority-data'] = b64(spec.ca);
  if (spec.insecureSkipTLSVerify) cluster['insecure-skip-tls-verify'] = true;
  const user: KubeconfigUser = {};
  if (spec.token) user.token = spec.token;
  if (spec.clientCert) user['client-certificate-data'] = b64(spec.clientCert);
  if (spec.clientKey) user['client-key-data'] = b64(spec.clientKey);
  if (spec.username !== undefined) user.username = spec.username;
  if (spec.password !== undefined) user.password = spec.password;
  const context: KubeconfigContext = { cluster: name, user: name };
  if (spec.namespace) context.namespace = spec.namespace;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{ name, context }],
    'current-context': name,
    preferences: {},
  };
}

/** serializeKubeconfig renders a kubeconfig as YAML (without the in-memory baseDir). */
export function serializeKubeconfig(kc: Kubeconfig): string {
  const strip = <T extends object>(o: T): T => {
    const { baseDir: _b, ...rest } = o as T & { baseDir?: string };
    return rest as T;
  };
  const out: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: kc.clusters.map((c) => ({ name: c.name, cluster: strip(c.cluster) })),
    users: kc.users.map((u) => ({ name: u.name, user: strip(u.user) })),
    contexts: kc.contexts,
  };
  if (kc['current-context']) out['current-context'] = kc['current-context'];
  out.preferences = kc.preferences ?? {};
  return yaml.dump(out, { lineWidth: -1, noRefs: true });
}

/** writeKubeconfig writes a kubeconfig file readable only by its owner (it holds credentials). */
export function writeKubeconfig(file: string, kc: Kubeconfig): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, serializeKubeconfig(kc), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
