// openapi.ts: a minimal OpenAPI v3 surface, and an empty v2 document (see openapiV2). kubectl reads /openapi/v3 to learn whether the
// server validates fields itself (the `fieldValidation` query parameter on each kind's PATCH
// operation); when it does, kubectl skips client-side schema validation. Schemas themselves
// are not published yet, so kubectl computes strategic merge patches from its built-in types.
import { createHash } from 'node:crypto';
import { groupVersions } from './discovery.js';
import type { KindInfo } from '../api/scheme.js';

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'];

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** openapiGroupVersionDoc returns the OpenAPI v3 document of one group version. */
export function openapiGroupVersionDoc(kinds: KindInfo[], group: string, version: string): object | undefined {
  const served = kinds.filter((k) => k.group === group && k.version === version);
  if (!served.length) return undefined;
  const paths: Record<string, object> = {};
  for (const k of served) {
    const base = `/${gvPath(group, version)}${k.namespaced ? '/namespaces/{namespace}' : ''}/${k.resource}/{name}`;
    const gvk = { group, version, kind: k.kind };
    const parameters = QUERY_PARAMS.map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true } }));
    paths[base] = {
      get: { operationId: `read${k.kind}`, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk, responses: { '200': { description: 'OK' } } },
      patch: { operationId: `patch${k.kind}`, 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': gvk, parameters, responses: { '200': { description: 'OK' } } },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

/** openapiRoot returns the /openapi/v3 index: one entry per group version. */
export function openapiRoot(kinds: KindInfo[]): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions(kinds)) {
    const p = gvPath(gv.group, gv.version);
    const hash = createHash('sha512').update(JSON.stringify(openapiGroupVersionDoc(kinds, gv.group, gv.version))).digest('hex').slice(0, 32).toUpperCase();
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}

/** OpenAPIV2ProtobufType is the media type kubectl asks /openapi/v2 for. */
export const OpenAPIV2ProtobufType = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/**
 * openapiV2 answers /openapi/v2 with a document without paths or definitions. kubectl falls back
 * to it for what the v3 documents do not cover, a `kind: List` among them (`kubectl apply -f` of
 * `kubectl get -o json` output); with nothing to check the items against there, it sends each one
 * and the server's own field validation judges it. In protobuf the empty document is zero bytes:
 * every field of gnostic's openapi_v2.Document left at its default.
 */
export function openapiV2(accept: string): { type: string; body: Buffer | object } {
  if (accept.includes(OpenAPIV2ProtobufType)) return { type: OpenAPIV2ProtobufType, body: Buffer.alloc(0) };
  return { type: 'application/json', body: { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions: {} } };
}
