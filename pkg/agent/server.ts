// server.ts: the agent API (kubelet-style, plain HTTP for now): /healthz, /metrics,
// GET /containerLogs/{ns}/{pod}/{container}?follow&tailLines&previous&timestamps&sinceSeconds&limitBytes,
// and exec and attach over WebSocket at /exec/{ns}/{pod}/{container}?command=…&stdin&stdout&stderr&tty
// and /attach/{ns}/{pod}/{container}?stdin&stdout&stderr&tty (see exec-stream.ts). The API server
// proxies pods/log, pods/exec and pods/attach here.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import type { Pod } from '../api/core/pod-types.js';
import { readContainerLog } from '../runtime/logs.js';
import type { RuntimeService } from '../runtime/service.js';
import type { ContainerStatus } from '../runtime/types.js';
import { ExecProtocols, runExecSession } from './exec-stream.js';
import { ContainerNameLabel, PodNameLabel, PodNamespaceLabel, PodUIDLabel } from './labels.js';
import { attemptsOf } from './pod-status.js';

/** AgentServerOptions configure the agent API. */
export interface AgentServerOptions {
  runtime: RuntimeService;
  /** pods looks a pod up in the agent's cache (for its uid). */
  pods: (namespace: string, name: string) => Pod | undefined;
  metrics: Registry;
  logger: Logger;
}

/** status renders a Kubernetes Status body. */
function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** AgentServer serves the agent API. */
export class AgentServer {
  private readonly app: FastifyInstance;
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => ExecProtocols.find((p) => protocols.has(p)) ?? false });
  port = 0;

  constructor(private readonly o: AgentServerOptions) {
    this.app = Fastify({ logger: false });
    this.app.get('/healthz', async () => 'ok');
    this.app.get('/metrics', async (_req, reply) => {
      reply.header('Content-Type', o.metrics.contentType);
      return o.metrics.metrics();
    });
    this.app.get<{ Params: { ns: string; pod: string; container: string }; Querystring: Record<string, string> }>('/containerLogs/:ns/:pod/:container', async (req, reply) => {
      const { ns, pod, container } = req.params;
      const q = req.query;
      const truthy = (v: string | undefined) => v === 'true' || v === '1' || v === '';
      const target = await this.findContainer(ns, pod, container, truthy(q.previous));
      if ('error' in target) return reply.code(target.code).send(status(target.code, target.code === 404 ? 'NotFound' : 'BadRequest', target.error));
      const abort = new AbortController();
      req.raw.on('close', () => abort.abort());
      const lines = readContainerLog(target.container.logPath, {
        follow: truthy(q.follow) && target.container.state !== 'CONTAINER_EXITED',
        tailLines: q.tailLines !== undefined ? Number(q.tailLines) : undefined,
        timestamps: truthy(q.timestamps),
        limitBytes: q.limitBytes !== undefined ? Number(q.limitBytes) : undefined,
        sinceTimeMs: q.sinceSeconds !== undefined ? Date.now() - Number(q.sinceSeconds) * 1000 : q.sinceTime ? Date.parse(q.sinceTime) : undefined,
        signal: abort.signal,
        stillRunning: async () => (await this.o.runtime.containerStatus(target.container.id).catch(() => undefined))?.state === 'CONTAINER_RUNNING',
      });
      reply.raw.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
      try {
        for await (const line of lines) reply.raw.write(line);
      } finally {
        reply.raw.end();
      }
      return reply;
    });
    const execHttp = async (_req: unknown, reply: { code: (c: number) => { send: (b: unknown) => unknown } }) =>
      reply.code(400).send(status(400, 'BadRequest', 'exec and attach need a WebSocket upgrade with the v5.channel.k8s.io (or v4.channel.k8s.io) subprotocol'));
    for (const kind of ['exec', 'attach']) {
      this.app.get(`/${kind}/*`, execHttp);
      this.app.post(`/${kind}/*`, execHttp);
    }
    this.app.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://agent');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if ((parts[0] !== 'exec' && parts[0] !== 'attach') || (parts.length !== 4 && parts.length !== 5)) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      const [, ns, pod, ...rest] = parts;
      const container = rest[rest.length - 1]!;
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        void runExecSession(ws, {
          find: async () => {
            const t = await this.findContainer(ns!, pod!, container, false);
            if ('error' in t) throw new Error(t.error);
            return t.container.id;
          },
          runtime: this.o.runtime,
          query: url.searchParams,
          logger: this.o.logger,
          attach: parts[0] === 'attach',
        });
      });
    });
  }

  /** findContainer resolves a pod's container (latest attempt, or the one before with previous). */
  private async findContainer(ns: string, pod: string, name: string, previous: boolean): Promise<{ container: ContainerStatus } | { error: string; code: number }> {
    const uid = this.o.pods(ns, pod)?.metadata.uid;
    const selector: Record<string, string> = uid ? { [PodUIDLabel]: uid } : { [PodNamespaceLabel]: ns, [PodNameLabel]: pod };
    const list = await this.o.runtime.listContainers({ labelSelector: { ...selector, [ContainerNameLabel]: name } });
    const statuses: ContainerStatus[] = [];
    for (const c of list) statuses.push(await this.o.runtime.containerStatus(c.id));
    const attempts = attemptsOf(statuses, name);
    const c = attempts[previous ? 1 : 0];
    if (!c) {
      if (previous) return { error: `previous terminated container "${name}" in pod "${pod}" not found`, code: 400 };
      return { error: `container "${name}" in pod "${pod}" is not available`, code: uid || attempts.length ? 400 : 404 };
    }
    return { container: c };
  }

  /** listen starts serving; returns the port. */
  async listen(host: string, port: number): Promise<number> {
    await this.app.listen({ host, port });
    this.port = (this.app.server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    await this.app.close();
  }
}
