// service-env.ts: the environment variables a container gets for every Service in its
// namespace (as kubelet's enableServiceLinks): MYSVC_SERVICE_HOST / _SERVICE_PORT /
// _SERVICE_PORT_<NAME>, and the Docker-links style MYSVC_PORT_80_TCP… variables.
import type { Service } from '../api/core/service.js';

/** EnvVar is one name=value pair. */
export interface EnvVar {
  name: string;
  value: string;
}

function envName(s: string): string {
  return s.toUpperCase().replace(/-/g, '_');
}

/**
 * serviceEnvVars returns the variables for the Services a pod in namespace sees: those in its
 * namespace (with enableServiceLinks, the default) and the master "kubernetes" Service, only
 * Services with a cluster IP, sorted by name. Services created after pod start are left out
 * when createdBefore (the pod's creation time, RFC 3339) is given.
 */
export function serviceEnvVars(services: readonly Service[], namespace: string, opts: { enableServiceLinks?: boolean; createdBefore?: string } = {}): EnvVar[] {
  const links = opts.enableServiceLinks ?? true;
  const visible = services.filter((s) => {
    const ip = s.spec?.clusterIP;
    if (!ip || ip === 'None' || s.spec?.type === 'ExternalName') return false;
    if (opts.createdBefore && s.metadata.creationTimestamp && s.metadata.creationTimestamp > opts.createdBefore) return false;
    if (s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes') return true;
    return links && s.metadata.namespace === namespace;
  });
  // A Service of the pod's own namespace wins over a same-named one from default.
  const byName = new Map<string, Service>();
  for (const s of visible) {
    const prev = byName.get(s.metadata.name!);
    if (!prev || s.metadata.namespace === namespace) byName.set(s.metadata.name!, s);
  }
  const out: EnvVar[] = [];
  for (const name of [...byName.keys()].sort()) {
    const svc = byName.get(name)!;
    const prefix = envName(name);
    const ip = svc.spec!.clusterIP!;
    const ports = svc.spec!.ports ?? [];
    out.push({ name: `${prefix}_SERVICE_HOST`, value: ip });
    if (ports[0]) out.push({ name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const p of ports) if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
    if (ports[0]) out.push({ name: `${prefix}_PORT`, value: `${(ports[0].protocol ?? 'TCP').toLowerCase()}://${ip}:${ports[0].port}` });
    for (const p of ports) {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const base = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push({ name: base, value: `${proto}://${ip}:${p.port}` });
      out.push({ name: `${base}_PROTO`, value: proto });
      out.push({ name: `${base}_PORT`, value: String(p.port) });
      out.push({ name: `${base}_ADDR`, value: ip });
    }
  }
  return out;
}
