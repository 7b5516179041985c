// env.ts: a container's environment as kubelet builds it: service links (MYSVC_SERVICE_HOST …),
// then envFrom sources in order, then env
// entries (later ones win), with values from ConfigMap and Secret keys and the downward API,
// and $(VAR) references expanded against what is defined so far.
import type { Container, Pod } from '../api/core/pod-types.js';
import { tryParseQuantity } from '../api/quantity.js';
import { serviceEnvVars } from '../network/service-env.js';
import { ContainerConfigError, secretValue, type ObjectSource } from './objects.js';

/** EnvVarPair is one resolved variable. */
export interface EnvVarPair {
  name: string;
  value: string;
}

/** expandVars replaces $(NAME) with its value; $$ escapes; unknown references stay as written. */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  return input.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    const v = lookup(name!);
    return v === undefined ? m : v;
  });
}

/** fieldRefValue answers a downward API fieldRef for a pod. */
export function fieldRefValue(pod: Pod, fieldPath: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(',');
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((i) => i.ip).join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldRef ${fieldPath}`);
  }
}

/** resourceFieldValue answers a resourceFieldRef (limits/requests of cpu or memory) in divisor units, rounded up. */
export function resourceFieldValue(c: Container, resource: string, divisor: string | number = 1): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const q = tryParseQuantity(c.resources?.[kind]?.[name] ?? (kind === 'requests' ? c.resources?.limits?.[name] : undefined));
  const d = tryParseQuantity(divisor) ?? tryParseQuantity(1)!;
  if (!q) return '0';
  return String(Number((q.nanos + d.nanos - 1n) / d.nanos));
}

/** buildEnv resolves the container's environment; a missing non-optional source throws ContainerConfigError. */
export function buildEnv(pod: Pod, c: Container, objects: ObjectSource): EnvVarPair[] {
  const ns = pod.metadata.namespace ?? 'default';
  const vars = new Map<string, string>();
  // Service links first, so the container's own variables override them (as kubelet does).
  if (objects.services) {
    for (const v of serviceEnvVars(objects.services(), ns, { enableServiceLinks: pod.spec.enableServiceLinks ?? true })) vars.set(v.name, v.value);
  }
  for (const src of c.envFrom ?? []) {
    const prefix = src.prefix ?? '';
    if (src.configMapRef) {
      const cm = objects.configMap(ns, src.configMapRef.name ?? '');
      if (!cm) {
        if (src.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${src.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, v);
    }
    if (src.secretRef) {
      const s = objects.secret(ns, src.secretRef.name ?? '');
      if (!s) {
        if (src.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${src.secretRef.name}" not found`);
      }
      for (const k of Object.keys(s.data ?? {})) vars.set(prefix + k, secretValue(s, k)!.toString('utf8'));
    }
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      vars.set(e.name, expandVars(e.value ?? '', (n) => vars.get(n)));
      continue;
    }
    if (from.fieldRef) vars.set(e.name, fieldRefValue(pod, from.fieldRef.fieldPath));
    else if (from.resourceFieldRef) {
      const target = from.resourceFieldRef.containerName ? [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((x) => x.name === from.resourceFieldRef!.containerName) : c;
      vars.set(e.name, resourceFieldValue(target ?? c, from.resourceFieldRef.resource, from.resourceFieldRef.divisor));
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const v = objects.configMap(ns, ref.name ?? '')?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        const cm = objects.configMap(ns, ref.name ?? '');
        throw new ContainerConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`);
      }
      vars.set(e.name, v);
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const s = objects.secret(ns, ref.name ?? '');
      const v = s ? secretValue(s, ref.key) : undefined;
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(s ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`);
      }
      vars.set(e.name, v.toString('utf8'));
    }
  }
  return [...vars].map(([name, value]) => ({ name, value }));
}
