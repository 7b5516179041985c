// podproxy.ts: pods/log and pods/exec|attach, served by the node agent that runs the pod. The API
// server finds the pod's node, then streams logs from the agent's /containerLogs endpoint and
// relays WebSocket upgrades (v5.channel.k8s.io) to its /exec endpoint byte for byte.
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { StatusError, newBadRequest, newNotFound, newServiceUnavailable, type Status } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import type { ResourceStore } from './registry.js';

/** AgentTarget is where a pod's agent listens and which container a request means. */
export interface AgentTarget {
  host: string;
  port: number;
  namespace: string;
  pod: string;
  container: string;
}

interface PodShape {
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] };
}

interface NodeShape {
  status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
}

/** resolveAgent finds the agent and container for a pod request. */
export async function resolveAgent(pods: ResourceStore, nodes: ResourceStore, namespace: string, name: string, container: string | null): Promise<AgentTarget> {
  const pod = (await pods.get(namespace, name)) as KubeObject & PodShape;
  const names = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.name);
  let chosen = container ?? '';
  if (!chosen) {
    if ((pod.spec?.containers ?? []).length !== 1) {
      throw newBadRequest(`a container name must be specified for pod ${name}, choose one of: [${(pod.spec?.containers ?? []).map((c) => c.name).join(' ')}]`);
    }
    chosen = pod.spec!.containers![0].name;
  } else if (!names.includes(chosen)) {
    throw newBadRequest(`container ${chosen} is not valid for pod ${name}`);
  }
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw newBadRequest(`pod ${name} does not have a host assigned`);
  let node: KubeObject & NodeShape;
  try {
    node = (await nodes.get(undefined, nodeName)) as KubeObject & NodeShape;
  } catch (err) {
    if (err instanceof StatusError && err.reason === 'NotFound') throw newNotFound({ group: '', resource: 'nodes' }, nodeName);
    throw err;
  }
  const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? node.status?.addresses?.[0]?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!address || !port) throw newServiceUnavailable(`node ${nodeName} has not published its agent endpoint`);
  return { host: address, port, namespace, pod: name, container: chosen };
}

const LOG_PARAMS = ['follow', 'tailLines', 'previous', 'timestamps', 'sinceSeconds', 'sinceTime', 'limitBytes'];

/** streamLogs pipes the agent's log stream into res (plain text, chunked). */
export function streamLogs(target: AgentTarget, query: URLSearchParams, res: http.ServerResponse): Promise<void> {
  const q = new URLSearchParams();
  for (const p of LOG_PARAMS) {
    const v = query.get(p);
    if (v !== null) q.set(p, v);
  }
  const path = `/containerLogs/${encodeURIComponent(target.namespace)}/${encodeURIComponent(target.pod)}/${encodeURIComponent(target.container)}?${q}`;
  return new Promise((resolve) => {
    const upstream = http.get({ host: target.host, port: target.port, path }, (up) => {
      res.writeHead(up.statusCode ?? 502, { 'Content-Type': up.headers['content-type'] ?? 'text/plain', 'Transfer-Encoding': 'chunked' });
      up.pipe(res);
      up.on('end', resolve);
      up.on('error', () => resolve());
    });
    res.on('close', () => upstream.destroy());
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        const s = newServiceUnavailable(`cannot reach the agent at ${target.host}:${target.port}: ${err.message}`).status;
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(s));
      } else res.end();
      resolve();
    });
  });
}

/** relayUpgrade forwards a WebSocket upgrade for exec/attach to the agent and joins the two sockets. */
export function relayUpgrade(req: http.IncomingMessage, client: Duplex, head: Buffer, target: AgentTarget, kind: 'exec' | 'attach'): void {
  const incoming = new URL(req.url ?? '/', 'http://x');
  const path = `/${kind}/${encodeURIComponent(target.namespace)}/${encodeURIComponent(target.pod)}/${encodeURIComponent(target.container)}?${incoming.searchParams}`;
  const upstream = net.connect(target.port, target.host, () => {
    const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      if (name.toLowerCase() === 'host') lines.push(`Host: ${target.host}:${target.port}`);
      else if (name.toLowerCase() !== 'authorization') lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  const close = () => {
    upstream.destroy();
    client.destroy();
  };
  upstream.on('error', (err) => {
    writeUpgradeError(client, newServiceUnavailable(`cannot reach the agent at ${target.host}:${target.port}: ${err.message}`).status);
  });
  client.on('error', close);
  upstream.on('close', () => client.end());
  client.on('close', () => upstream.destroy());
}

/** writeUpgradeError answers a failed upgrade with a Status body. */
export function writeUpgradeError(socket: Duplex, status: Status): void {
  const body = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${status.code} ${http.STATUS_CODES[status.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
