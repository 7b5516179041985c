// kubeconfig.ts: which kubeconfig the CLI uses. Like kubectl: --kubeconfig, then $KUBECONFIG
// (merged), then ~/.kube/config; unlike kubectl, it then falls back to the kubeconfig a local
// `skiff server` writes, so `skiff get pods` works on a fresh machine without setup.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kubeconfigPaths, loadKubeconfig, resolveContext, type ClusterConnection, type Kubeconfig } from '../client/kubeconfig.js';
import type { GlobalFlags } from './flags.js';
import { UserError, type CliIO } from './io.js';

/** LOCAL_SERVER_KUBECONFIGS are where `skiff server` writes its kubeconfig (relative ones to cwd). */
export const LOCAL_SERVER_KUBECONFIGS = ['/var/lib/skiff/server/kubeconfig.yaml', '.data/server/kubeconfig.yaml'];

/** LoadedKubeconfig is the merged kubeconfig and the files it came from (the first is written by use-context). */
export interface LoadedKubeconfig {
  config: Kubeconfig;
  files: string[];
}

/** kubeconfigFiles lists the files to read, in kubectl's precedence, with the local server's as fallback. */
export function kubeconfigFiles(io: Pick<CliIO, 'env' | 'home' | 'cwd' | 'localKubeconfigs'>, flags: GlobalFlags): string[] {
  const cwd = io.cwd ?? process.cwd();
  if (flags.kubeconfig) return [path.resolve(cwd, flags.kubeconfig)];
  const standard = kubeconfigPaths({ env: io.env, home: io.home ?? os.homedir() }).map((p) => path.resolve(cwd, p));
  const existing = standard.filter((p) => fs.existsSync(p));
  if (existing.length > 0) return existing;
  const local = (io.localKubeconfigs ?? LOCAL_SERVER_KUBECONFIGS).map((p) => path.resolve(cwd, p)).find((p) => fs.existsSync(p));
  return local ? [local] : [];
}

/** loadCliKubeconfig reads and merges the kubeconfig files; none at all is a UserError. */
export function loadCliKubeconfig(io: Pick<CliIO, 'env' | 'home' | 'cwd' | 'localKubeconfigs'>, flags: GlobalFlags): LoadedKubeconfig {
  const files = kubeconfigFiles(io, flags);
  if (files.length === 0) {
    throw new UserError('no kubeconfig found: pass --kubeconfig, set KUBECONFIG, write ~/.kube/config, or start `skiff server` on this machine');
  }
  if (flags.kubeconfig && !fs.existsSync(files[0])) throw new UserError(`stat ${flags.kubeconfig}: no such file or directory`);
  try {
    return { config: loadKubeconfig({ env: { KUBECONFIG: files.join(path.delimiter) }, home: '/nonexistent' }), files };
  } catch (err) {
    throw new UserError(`error loading config file "${files.join(path.delimiter)}": ${(err as Error).message}`);
  }
}

/** connectionFor resolves the context to use (--context or current-context) plus flag overrides. */
export function connectionFor(io: Pick<CliIO, 'env' | 'home' | 'cwd' | 'localKubeconfigs'>, flags: GlobalFlags): ClusterConnection {
  let conn: ClusterConnection;
  if (flags.server && !flags.kubeconfig) {
    conn = { contextName: '', server: flags.server.replace(/\/+$/, ''), namespace: 'default' };
  } else {
    const { config } = loadCliKubeconfig(io, flags);
    try {
      conn = resolveContext(config, flags.context);
    } catch (err) {
      throw new UserError((err as Error).message);
    }
    if (flags.server) conn.server = flags.server.replace(/\/+$/, '');
  }
  if (flags.token) conn.token = flags.token;
  if (flags.insecureSkipTLSVerify) conn.insecureSkipTLSVerify = true;
  if (flags.namespace) conn.namespace = flags.namespace;
  return conn;
}
