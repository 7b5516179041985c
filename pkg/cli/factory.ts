// factory.ts: kubectl's Factory — what every command needs, built lazily so commands that
// never talk to a server (completion, config view) never read a kubeconfig or open a socket.
import type { ClusterConnection } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest.js';
import { ResourceClient } from '../client/resource.js';
import type { KubeObject } from '../api/meta.js';
import type { GlobalFlags } from './flags.js';
import type { CliIO } from './io.js';
import { connectionFor } from './kubeconfig.js';
import { RestMapper, type ApiResource } from './mapper.js';

/** Factory gives commands their IO, flags, connection, REST client and mapper. */
export class Factory {
  private conn?: ClusterConnection;
  private rest?: RestClient;
  private restMapper?: RestMapper;

  constructor(
    readonly io: CliIO,
    readonly globals: GlobalFlags,
  ) {}

  /** connection is the resolved context (kubeconfig + flags). */
  connection(): ClusterConnection {
    this.conn ??= connectionFor(this.io, this.globals);
    return this.conn;
  }

  /** namespace is -n, else the context's namespace, else "default". */
  namespace(): string {
    return this.globals.namespace ?? this.connection().namespace ?? 'default';
  }

  /** explicitNamespace tells whether -n was given (apply refuses a mismatching manifest namespace then). */
  explicitNamespace(): boolean {
    return this.globals.namespace !== undefined;
  }

  /** client is the REST client of the context (one per invocation). */
  client(): RestClient {
    if (!this.rest) {
      const c = this.connection();
      this.rest = new RestClient({
        server: c.server,
        ca: c.ca,
        cert: c.cert,
        key: c.key,
        token: c.token,
        username: c.username,
        password: c.password,
        insecureSkipTLSVerify: c.insecureSkipTLSVerify,
        tlsServerName: c.tlsServerName,
        userAgent: 'skiff/v0.1.0',
        timeoutMs: this.globals.requestTimeoutMs ?? 30_000,
        maxRetries: 2,
      });
    }
    return this.rest;
  }

  /** mapper resolves resource names through discovery. */
  mapper(): RestMapper {
    this.restMapper ??= new RestMapper(this.client());
    return this.restMapper;
  }

  /** resource returns a client for one resource, bound to ns when the resource is namespaced. */
  resource(res: ApiResource, ns?: string): ResourceClient<KubeObject> {
    const rc = new ResourceClient<KubeObject>(this.client(), res);
    return ns && res.namespaced ? rc.namespace(ns) : rc;
  }

  /** now is the injected clock. */
  now(): number {
    return (this.io.now ?? Date.now)();
  }

  /** close releases sockets so the process can exit. */
  close(): void {
    this.rest?.close();
  }
}
