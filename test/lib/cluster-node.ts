// cluster-node.ts: test harness for the node agent: a node with its own data dir, cgroup parent,
// netns prefix and runtime ids (all "skifftest-<rand>"), the sample images imported, and an
// agent either in-process (startTestNode) or as a child process that can be kill -9'd
// (startNodeProcess). cleanup() removes every container, conmon, mount, netns, cgroup and file
// the node made, also after a failed test. Run as a script, this file is the child agent.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import type { Agent } from '../../pkg/agent/agent.js';
import { startAgent, type StartAgentOptions } from '../../pkg/agent/main.js';
import { importSampleImages, removeNodeState } from '../../pkg/cluster/node-state.js';
import { REPO_ROOT } from './apiserver.js';

/** NodeLayout names everything a test node makes. */
export interface NodeLayout {
  prefix: string;
  nodeName: string;
  dataDir: string;
  cgroupParent: string;
  netnsPrefix: string;
}

/** newNodeLayout picks fresh skifftest-* names. */
export function newNodeLayout(nodeName?: string): NodeLayout {
  const prefix = `skifftest-${randomBytes(4).toString('hex')}`;
  return { prefix, nodeName: nodeName ?? `${prefix}-node`, dataDir: mkdtempSync(join(tmpdir(), `${prefix}-`)), cgroupParent: `/${prefix}`, netnsPrefix: `${prefix}-` };
}

/** importSamples loads the sample images (skiff.local/busybox:latest, web:v1, crasher, …) into the
 * node's store; the archives go into the node's data dir, so nothing outlives cleanupNode. */
export function importSamples(layout: NodeLayout): Promise<void> {
  return importSampleImages(layout.dataDir);
}

function agentOptions(layout: NodeLayout, server: string): StartAgentOptions {
  let n = 0;
  return {
    server,
    nodeName: layout.nodeName,
    dataDir: layout.dataDir,
    port: 0,
    host: '127.0.0.1',
    nodeIP: '127.0.0.1',
    cgroupParent: layout.cgroupParent,
    netnsPrefix: layout.netnsPrefix,
    newId: () => `${layout.prefix}-${process.pid}-${++n}-${randomBytes(3).toString('hex')}`,
    resyncMs: 5_000,
    plegMs: 500,
    logger: pino({ level: process.env.SKIFF_TEST_LOG ?? 'silent' }),
  };
}

/** TestNode is an in-process agent. */
export interface TestNode {
  layout: NodeLayout;
  agent: Agent;
  /** agentUrl is the agent API, http://127.0.0.1:PORT. */
  agentUrl: string;
  /** stop stops the agent, leaving its containers running. */
  stop(): Promise<void>;
  /** cleanup stops the agent and removes everything the node made. */
  cleanup(): Promise<void>;
}

/** startTestNode starts an agent in this process against server, with the sample images imported. */
export async function startTestNode(server: string, layout = newNodeLayout(), overrides: Partial<StartAgentOptions> = {}): Promise<TestNode> {
  let agent: Agent | undefined;
  try {
    await importSamples(layout);
    agent = await startAgent({ ...agentOptions(layout, server), ...overrides });
  } catch (e) {
    await cleanupNode(layout);
    throw e;
  }
  let stopped = false;
  const stop = async () => {
    if (!stopped) await agent!.stop();
    stopped = true;
  };
  return {
    layout,
    agent,
    agentUrl: `http://127.0.0.1:${agent.port}`,
    stop,
    async cleanup() {
      await stop().catch(() => undefined);
      await cleanupNode(layout);
    },
  };
}

/** NodeProcess is an agent in a child process. */
export interface NodeProcess {
  layout: NodeLayout;
  child: ChildProcess;
  kill9(): Promise<void>;
  logs(): string;
}

/** startNodeProcess runs the agent as a child process (node --import tsx this-file) over layout. */
export async function startNodeProcess(server: string, layout: NodeLayout): Promise<NodeProcess> {
  await mkdir(layout.dataDir, { recursive: true });
  const logFile = join(layout.dataDir, `agent-${Date.now()}.log`);
  const fd = openSync(logFile, 'a');
  // SKIFF_TEST_NODE_ARGS: extra node flags for the agent, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.SKIFF_TEST_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', fileURLToPath(import.meta.url)], {
    stdio: ['ignore', fd, fd],
    cwd: REPO_ROOT,
    env: { ...process.env, SKIFF_TEST_NODE: JSON.stringify({ layout, server }), SKIFF_TEST_LOG: process.env.SKIFF_TEST_LOG ?? 'info' },
  });
  closeSync(fd);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    layout,
    child,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    logs: () => readFileSync(logFile, 'utf8'),
  };
}

/** cleanupNode removes every container, conmon, mount, netns, cgroup and file of a node. */
export function cleanupNode(layout: NodeLayout): Promise<void> {
  return removeNodeState(layout);
}

// Child mode: run the agent described by SKIFF_TEST_NODE until SIGTERM (or SIGKILL).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.env.SKIFF_TEST_NODE) {
  const { layout, server } = JSON.parse(process.env.SKIFF_TEST_NODE) as { layout: NodeLayout; server: string };
  const opts = { ...agentOptions(layout, server), logger: pino({ level: process.env.SKIFF_TEST_LOG ?? 'info' }) };
  const agent = await startAgent(opts);
  process.stdout.write(`agent ready on port ${agent.port}\n`);
  process.once('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
  // Orphaned (the test process died without cleanup): do not run on unattended.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void agent.stop().finally(() => process.exit(1));
  }, 1000).unref();
}
