// errors.ts: the API's only error type, a Kubernetes Status (apimachinery's api/errors).
// Build errors with the helpers below and test them with the predicates, never by message text.
import type { FieldError } from './field.js';

/** StatusReason is the machine-readable reason of a failed request. */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'Gone'
  | 'Expired'
  | 'Forbidden'
  | 'Unauthorized'
  | 'RequestEntityTooLarge'
  | 'Timeout'
  | 'ServerTimeout'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'InternalError'
  | 'Unknown'
  | '';

/** StatusCause is one cause of a failure, e.g. one invalid field. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** StatusDetails identifies the object a failure is about. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** Status is the body of every error response (and of some successful deletes). */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** StatusError carries a Status through exceptions. */
export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? 'unknown error');
    this.name = 'StatusError';
  }

  /** code is the HTTP status code. */
  get code(): number {
    return this.status.code;
  }

  /** reason is the Status reason. */
  get reason(): StatusReason {
    return this.status.reason ?? '';
  }
}

/** GroupResource names a resource for messages: "deployments.apps", "pods". */
export interface GroupResource {
  group: string;
  resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new StatusError(status);
}

/** newNotFound: 404, the object does not exist. */
export function newNotFound(gr: GroupResource, name: string): StatusError {
  return failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, group: gr.group, kind: gr.resource });
}

/** newAlreadyExists: 409, an object with that name exists. */
export function newAlreadyExists(gr: GroupResource, name: string): StatusError {
  return failure(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, { name, group: gr.group, kind: gr.resource });
}

/** newConflict: 409, the write lost a compare-and-swap race (stale resourceVersion). */
export function newConflict(gr: GroupResource, name: string, detail: string): StatusError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${detail}`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });
}

/** newInvalid: 422, the object failed validation; each FieldError becomes a cause with its field path. */
export function newInvalid(group: string, kind: string, name: string, errors: FieldError[]): StatusError {
  const causes = errors.map((e) => ({ reason: e.type, message: e.message, field: e.field }));
  const summary = errors.map((e) => `${e.field}: ${e.message}`).join(', ');
  const what = group ? `${kind}.${group}` : kind;
  return failure(422, 'Invalid', `${what} "${name}" is invalid: ${errors.length > 1 ? `[${summary}]` : summary}`, {
    name,
    group,
    kind,
    causes,
  });
}

/** newBadRequest: 400, the request itself is malformed. */
export function newBadRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

/** newMethodNotAllowed: 405, the verb is not supported on this resource. */
export function newMethodNotAllowed(gr: GroupResource, verb: string): StatusError {
  return failure(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(gr)}"`);
}

/** newUnsupportedMediaType: 415, the request body's content type is not accepted. */
export function newUnsupportedMediaType(contentType: string): StatusError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got "${contentType}")`);
}

/** newNotAcceptable: 406, no representation matches the Accept header. */
export function newNotAcceptable(message: string): StatusError {
  return failure(406, 'NotAcceptable', message);
}

/** newGone: 410, the requested resourceVersion has been compacted away. */
export function newGone(message: string): StatusError {
  return failure(410, 'Expired', message);
}

/** newForbidden: 403. */
export function newForbidden(gr: GroupResource, name: string, message: string): StatusError {
  return failure(403, 'Forbidden', `${qualified(gr)} "${name}" is forbidden: ${message}`, { name, group: gr.group, kind: gr.resource });
}

/** newUnauthorized: 401. */
export function newUnauthorized(message = 'Unauthorized'): StatusError {
  return failure(401, 'Unauthorized', message);
}

/** newTooLarge: 413, the request body exceeds the limit. */
export function newTooLarge(limit: number): StatusError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** newTooManyRequests: 429, with a retry hint. */
export function newTooManyRequests(message: string, retryAfterSeconds = 1): StatusError {
  return failure(429, 'TooManyRequests', message, { retryAfterSeconds });
}

/** newServiceUnavailable: 503. */
export function newServiceUnavailable(message: string): StatusError {
  return failure(503, 'ServiceUnavailable', message);
}

/** newTimeout: 504, the server could not finish in time. */
export function newTimeout(message: string): StatusError {
  return failure(504, 'Timeout', message);
}

/** newInternal: 500, an unexpected server-side error. */
export function newInternal(err: unknown): StatusError {
  const message = err instanceof Error ? err.message : String(err);
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

/** statusFromBody turns a response body into a StatusError (for clients). */
export function statusFromBody(code: number, body: unknown): StatusError {
  if (body && typeof body === 'object' && (body as Status).kind === 'Status') {
    const s = body as Status;
    return new StatusError({ ...s, code: s.code || code });
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return failure(code, reasonForCode(code), text || `the server responded with status ${code}`);
}

/** reasonForCode guesses a reason from an HTTP code, as client-go does for non-Status bodies. */
export function reasonForCode(code: number): StatusReason {
  switch (code) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 405: return 'MethodNotAllowed';
    case 406: return 'NotAcceptable';
    case 409: return 'Conflict';
    case 410: return 'Gone';
    case 413: return 'RequestEntityTooLarge';
    case 415: return 'UnsupportedMediaType';
    case 422: return 'Invalid';
    case 429: return 'TooManyRequests';
    case 500: return 'InternalError';
    case 503: return 'ServiceUnavailable';
    case 504: return 'Timeout';
    default: return 'Unknown';
  }
}

/** reasonOf returns the Status reason of an error, or '' if it is not a StatusError. */
export function reasonOf(err: unknown): StatusReason {
  return err instanceof StatusError ? err.reason : '';
}

/** codeOf returns the HTTP code of an error, or 0 if it is not a StatusError. */
export function codeOf(err: unknown): number {
  return err instanceof StatusError ? err.code : 0;
}

export const isNotFound = (err: unknown): boolean => reasonOf(err) === 'NotFound';
export const isAlreadyExists = (err: unknown): boolean => reasonOf(err) === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => reasonOf(err) === 'Conflict' || (codeOf(err) === 409 && reasonOf(err) !== 'AlreadyExists');
export const isInvalid = (err: unknown): boolean => reasonOf(err) === 'Invalid';
export const isBadRequest = (err: unknown): boolean => reasonOf(err) === 'BadRequest';
export const isGone = (err: unknown): boolean => codeOf(err) === 410;
export const isTooManyRequests = (err: unknown): boolean => codeOf(err) === 429;
export const isServerError = (err: unknown): boolean => codeOf(err) >= 500;
