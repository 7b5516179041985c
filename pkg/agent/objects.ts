// objects.ts: where the agent reads the ConfigMaps and Secrets pods refer to (informer caches in
// the agent, plain maps in tests), and the error for a missing one.
import type { ConfigMap } from '../api/core/configmap.js';
import type { Secret } from '../api/core/secret.js';
import type { Service } from '../api/core/service.js';

/** ObjectSource looks up the ConfigMaps and Secrets of a namespace. */
export interface ObjectSource {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** services lists every Service (for the service environment variables); absent: none. */
  services?(): Service[];
}

/** ContainerConfigError is why a container cannot be made (reported as CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** secretValue decodes one base64 value of a Secret's data. */
export function secretValue(secret: Secret, key: string): Buffer | undefined {
  const v = secret.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64');
}

/** mapObjectSource is an ObjectSource over plain lists (tests). */
export function mapObjectSource(configMaps: ConfigMap[] = [], secrets: Secret[] = []): ObjectSource {
  const find = <T extends { metadata: { namespace?: string; name?: string } }>(list: T[], ns: string, name: string) =>
    list.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
  return { configMap: (ns, name) => find(configMaps, ns, name), secret: (ns, name) => find(secrets, ns, name) };
}
