// prober.ts: one probe check. exec probes run in the container through the runtime; httpGet and
// tcpSocket probes run from inside the pod's network namespace (nsenter + the host's static
// busybox nc), because pods have no address reachable from the host until pod networking
// exists. Host-network pods are probed from the host directly. HTTP probes speak HTTP/1.0 over
// nc and succeed on a 2xx/3xx status, as kubelet's do.
import { spawn } from 'node:child_process';
import type { ContainerPort, HTTPGetAction, IntOrString, ProbeHandler, TCPSocketAction } from '../api/core/pod-types.js';
import type { RuntimeService } from '../runtime/service.js';

/** ProbeOutcome is the result of one check with a message for events and logs. */
export interface ProbeOutcome {
  success: boolean;
  message: string;
}

/** ProbeTarget says where a container is. */
export interface ProbeTarget {
  containerId: string;
  /** netnsPath of the pod ("" = host network). */
  netnsPath: string;
  ports: ContainerPort[];
}

/** NetnsRunner runs argv inside a network namespace ("" = the agent's own), feeding stdin. */
export type NetnsRunner = (netnsPath: string, argv: string[], stdin: string, timeoutMs: number) => Promise<{ code: number; stdout: string }>;

/** nsenterRunner is the NetnsRunner of the real host. */
export const nsenterRunner =
  (busybox = '/bin/busybox'): NetnsRunner =>
  (netnsPath, argv, stdin, timeoutMs) =>
    new Promise((resolve) => {
      const [cmd, ...args] = netnsPath ? ['nsenter', `--net=${netnsPath}`, '--', busybox, ...argv] : [busybox, ...argv];
      const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
      let stdout = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        if (stdout.length < 4096) stdout += d.toString('latin1');
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin);
      child.on('error', () => resolve({ code: 127, stdout }));
      // 'exit', not 'close': a grandchild (nc -e) may hold the pipes open after nc is gone.
      child.on('exit', (code) => {
        clearTimeout(timer);
        setImmediate(() => {
          child.stdout.destroy();
          child.stdin.destroy();
          resolve({ code: code ?? 137, stdout });
        });
      });
    });

/** resolvePort turns a named port into its number. */
export function resolvePort(port: IntOrString, ports: ContainerPort[]): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const p = ports.find((x) => x.name === port);
  if (!p) throw new Error(`port "${port}" not found among the container's ports`);
  return p.containerPort;
}

/** httpRequest renders the HTTP/1.0 request an httpGet probe sends. */
export function httpRequest(action: HTTPGetAction, host: string, port: number): string {
  const headers = action.httpHeaders ?? [];
  const lines = [`GET ${action.path || '/'} HTTP/1.0`];
  if (!headers.some((h) => h.name.toLowerCase() === 'host')) lines.push(`Host: ${host}:${port}`);
  if (!headers.some((h) => h.name.toLowerCase() === 'user-agent')) lines.push('User-Agent: kube-probe/skiff');
  for (const h of headers) lines.push(`${h.name}: ${h.value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** parseHttpStatus reads the status code of a raw HTTP response (0 if there is none). */
export function parseHttpStatus(response: string): number {
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(response);
  return m ? Number(m[1]) : 0;
}

/** Prober runs single probe checks. */
export class Prober {
  constructor(
    private readonly runtime: RuntimeService,
    private readonly runInNetns: NetnsRunner = nsenterRunner(),
  ) {}

  /** check runs handler against target within timeoutSeconds. */
  async check(handler: ProbeHandler, target: ProbeTarget, timeoutSeconds: number): Promise<ProbeOutcome> {
    const timeout = Math.max(1, timeoutSeconds || 1);
    try {
      if (handler.exec) return await this.exec(handler.exec.command ?? [], target, timeout);
      if (handler.httpGet) return await this.http(handler.httpGet, target, timeout);
      if (handler.tcpSocket) return await this.tcp(handler.tcpSocket, target, timeout);
      return { success: false, message: 'probe has no supported handler (grpc probes are not supported)' };
    } catch (e) {
      return { success: false, message: (e as Error).message };
    }
  }

  private async exec(cmd: string[], target: ProbeTarget, timeout: number): Promise<ProbeOutcome> {
    const r = await this.runtime.execSync(target.containerId, cmd, timeout);
    const out = Buffer.concat([Buffer.from(r.stdout ?? []), Buffer.from(r.stderr ?? [])]).toString('utf8').slice(0, 1024);
    return { success: r.exitCode === 0, message: r.exitCode === 0 ? out : `command ${JSON.stringify(cmd)} exited with ${r.exitCode}: ${out}` };
  }

  private async http(action: HTTPGetAction, target: ProbeTarget, timeout: number): Promise<ProbeOutcome> {
    const port = resolvePort(action.port, target.ports);
    const host = action.host || '127.0.0.1';
    const { stdout } = await this.runInNetns(target.netnsPath, ['nc', '-w', String(timeout), host, String(port)], httpRequest(action, host, port), timeout * 1000);
    const status = parseHttpStatus(stdout);
    if (status >= 200 && status < 400) return { success: true, message: `HTTP probe succeeded with statuscode: ${status}` };
    return { success: false, message: status ? `HTTP probe failed with statuscode: ${status}` : `Get "http://${host}:${port}${action.path ?? '/'}": no response` };
  }

  private async tcp(action: TCPSocketAction, target: ProbeTarget, timeout: number): Promise<ProbeOutcome> {
    const port = resolvePort(action.port, target.ports);
    const host = action.host || '127.0.0.1';
    const { code } = await this.runInNetns(target.netnsPath, ['nc', '-w', String(timeout), host, String(port), '-e', '/bin/true'], '', timeout * 1000);
    return code === 0 ? { success: true, message: '' } : { success: false, message: `dial tcp ${host}:${port}: connect: connection refused` };
  }
}
