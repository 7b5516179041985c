// cluster.ts: the end-to-end harness — a real local cluster (`skiff cluster up`: `skiff server`
// with its etcd, and agents as simulated hosts in network namespaces) under unique names
// ("skt<hex>" namespaces and links, a random lab subnet, a temp data dir), driven with the real
// kubectl and the skiff CLI. down() removes everything, also after a failed test.
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterDown, clusterUp, leftovers, type ClusterState } from '../../pkg/cluster/cluster.js';
import { REPO_ROOT } from './apiserver.js';
import { waitFor } from './wait.js';

/** CommandResult is what a CLI run printed and returned. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** TestCluster is a running local cluster. */
export interface TestCluster {
  state: ClusterState;
  kubeconfig: string;
  url: string;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<CommandResult>;
  skiff(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<CommandResult>;
  down(): Promise<void>;
}

/** TestClusterOptions tune startTestCluster. */
export interface TestClusterOptions {
  nodes?: number;
  serverArgs?: string[];
  agentArgs?: string[];
  env?: Record<string, string>;
}

function runCommand(argv: string[], env: NodeJS.ProcessEnv, opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(argv[0]!, argv.slice(1), { env, cwd: REPO_ROOT, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** startTestCluster brings up a cluster with unique names; call down() in test.after.always. */
export async function startTestCluster(o: TestClusterOptions = {}): Promise<TestCluster> {
  const name = `skt${randomBytes(2).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), `skifftest-${name}-`));
  const labCidr = `10.44.${randomInt(100, 250)}.0/24`;
  const env = { SKIFF_FROM_SOURCE: '1', SKIFF_LOG_LEVEL: process.env.SKIFF_TEST_LOG ?? 'info', ...(o.env ?? {}) };
  let state: ClusterState;
  try {
    state = await clusterUp({ dataDir, nodes: o.nodes ?? 2, name, labCidr, serverArgs: o.serverArgs, agentArgs: o.agentArgs, env, timeoutMs: 180_000 });
  } catch (e) {
    await clusterDown(dataDir).catch(() => undefined);
    throw e;
  }
  const kubeconfig = state.server.kubeconfig;
  const cliEnv = { ...process.env, ...env, KUBECONFIG: kubeconfig };
  return {
    state,
    kubeconfig,
    url: state.server.url,
    kubectl: (args, opts) => runCommand(['kubectl', ...args], cliEnv, opts),
    skiff: (args, opts) => runCommand([process.execPath, join(REPO_ROOT, 'cmd/skiff/bin.js'), ...args], cliEnv, opts),
    async down() {
      await clusterDown(dataDir);
      // Acceptance: nothing is left behind (namespaces, links, mounts, cgroups, processes).
      const left = await leftovers(state);
      if (left.length) throw new Error(`cluster ${name} left behind: ${left.join(', ')}`);
    },
  };
}

/** sleep waits ms. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** eventually is waitFor with the pace of whole-cluster scenarios (2 minutes, polled every second). */
export function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 120_000, intervalMs = 1000): Promise<T> {
  return waitFor(what, fn, timeoutMs, intervalMs);
}

/** stopLoop tells a client pod's request loop to stop by creating /tmp/stop in it. The loop can
 * see the file and end its container, and with it the PID namespace, before touch itself has
 * exited: touch is then killed (137), as with Kubernetes, and the loop still stops. */
export async function stopLoop(cluster: Pick<TestCluster, 'kubectl'>, pod: string, namespace?: string): Promise<void> {
  const ns = namespace ? ['-n', namespace] : [];
  const r = await cluster.kubectl(['exec', ...ns, pod, '--', 'touch', '/tmp/stop']);
  if (r.code !== 0 && !/exit code 137/.test(r.stderr)) throw new Error(`exec touch /tmp/stop in ${pod} failed (${r.code}): ${r.stderr}`);
}
