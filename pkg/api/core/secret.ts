// secret.ts: the Secret kind (core/v1 secrets): sensitive key/value data, base64 in JSON.
import { kindSchema } from '../common-schema.js';
import { FieldPath, invalid, required, tooLong, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { KubeObject } from '../meta.js';
import { bool, mapOf, str } from '../schema.js';
import { immutable, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import { MAX_DATA_SIZE, validateDataKeys, validateImmutableData } from './configmap.js';

/** Secret holds sensitive data; data values are base64, stringData is write-only plain text. */
export interface Secret extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'Secret';
  immutable?: boolean;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
}

/** SECRET_TYPE_* are the secret types Kubernetes checks the data of. */
export const SECRET_TYPE_OPAQUE = 'Opaque';
export const SECRET_TYPE_SERVICE_ACCOUNT_TOKEN = 'kubernetes.io/service-account-token';
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';
export const SECRET_TYPE_DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const SECRET_TYPE_BASIC_AUTH = 'kubernetes.io/basic-auth';
export const SECRET_TYPE_SSH_AUTH = 'kubernetes.io/ssh-auth';
export const SECRET_TYPE_TLS = 'kubernetes.io/tls';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** isBase64 tells whether a string is standard, padded base64. */
export function isBase64(value: string): boolean {
  return BASE64.test(value);
}

/** defaults: type Opaque; stringData is merged into data (base64) and dropped, as Kubernetes' conversion does. */
function defaults(secret: Secret): void {
  secret.type ??= SECRET_TYPE_OPAQUE;
  if (secret.stringData) {
    secret.data ??= {};
    for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete secret.stringData;
  }
}

function requireKey(secret: Secret, key: string): FieldError[] {
  return secret.data && key in secret.data ? [] : [required(new FieldPath('data').key(key))];
}

function validateJSONKey(secret: Secret, key: string): FieldError[] {
  const missing = requireKey(secret, key);
  if (missing.length) return missing;
  try {
    JSON.parse(Buffer.from(secret.data![key], 'base64').toString('utf8'));
    return [];
  } catch (err) {
    return [invalid(new FieldPath('data').key(key), '<secret contents redacted>', String(err))];
  }
}

function validateType(secret: Secret): FieldError[] {
  const data = secret.data ?? {};
  switch (secret.type) {
    case SECRET_TYPE_SERVICE_ACCOUNT_TOKEN: {
      const key = 'kubernetes.io/service-account.name';
      return secret.metadata.annotations?.[key] ? [] : [required(new FieldPath('metadata').child('annotations').key(key))];
    }
    case SECRET_TYPE_DOCKERCFG:
      return validateJSONKey(secret, '.dockercfg');
    case SECRET_TYPE_DOCKER_CONFIG_JSON:
      return validateJSONKey(secret, '.dockerconfigjson');
    case SECRET_TYPE_BASIC_AUTH:
      return 'username' in data || 'password' in data ? [] : [required(new FieldPath('data').key('username')), required(new FieldPath('data').key('password'))];
    case SECRET_TYPE_SSH_AUTH:
      return requireKey(secret, 'ssh-privatekey');
    case SECRET_TYPE_TLS:
      return [...requireKey(secret, 'tls.key'), ...requireKey(secret, 'tls.crt')];
    default:
      return [];
  }
}

function validate(secret: Secret): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, { namespaced: true });
  errs.push(...validateDataKeys([{ path: new FieldPath('data'), data: secret.data }]));
  let size = 0;
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    if (!isBase64(v)) errs.push(invalid(new FieldPath('data').key(k), '<secret contents redacted>', 'illegal base64 data'));
    else size += Buffer.from(v, 'base64').length;
  }
  if (size > MAX_DATA_SIZE) errs.push(tooLong(new FieldPath('data'), MAX_DATA_SIZE));
  errs.push(...validateType(secret));
  return errs;
}

function validateUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata);
  if ((secret.type ?? SECRET_TYPE_OPAQUE) !== (old.type ?? SECRET_TYPE_OPAQUE)) errs.push(immutable(new FieldPath('type'), secret.type));
  errs.push(...validateImmutableData(secret, old, ['data']));
  return errs;
}

/** secretKind is the Secret's KindInfo. */
export const secretKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Secret',
  resource: 'secrets',
  namespaced: true,
  schema: kindSchema({ immutable: bool(), data: mapOf(str()), stringData: mapOf(str()), type: str() }),
  defaults: (obj: KubeObject) => defaults(obj as Secret),
  validate: (obj: KubeObject) => validate(obj as Secret),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateUpdate(obj as Secret, old as Secret),
  selectableFields: (obj: KubeObject) => ({ type: (obj as Secret).type ?? '' }),
});
