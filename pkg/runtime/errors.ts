// errors.ts: the runtime's one error type. Codes are gRPC status names so the CRI server and
// client carry them across the socket unchanged; callers branch with the predicates.

/** RuntimeErrorCode is a gRPC status name. */
export type RuntimeErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'InvalidArgument'
  | 'FailedPrecondition'
  | 'DeadlineExceeded'
  | 'Unimplemented'
  | 'Internal';

/** RuntimeError is a failed runtime operation. */
export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** notFound: the sandbox/container/image does not exist. */
export function notFound(kind: string, id: string): RuntimeError {
  return new RuntimeError('NotFound', `${kind} "${id}" not found`);
}

/** invalidArgument: the request is malformed. */
export function invalidArgument(message: string): RuntimeError {
  return new RuntimeError('InvalidArgument', message);
}

/** failedPrecondition: the object is in the wrong state for the operation. */
export function failedPrecondition(message: string): RuntimeError {
  return new RuntimeError('FailedPrecondition', message);
}

/** deadlineExceeded: an operation (ExecSync, Stop) ran out of time. */
export function deadlineExceeded(message: string): RuntimeError {
  return new RuntimeError('DeadlineExceeded', message);
}

/** isNotFound reports a NotFound RuntimeError. */
export function isNotFound(e: unknown): boolean {
  return e instanceof RuntimeError && e.code === 'NotFound';
}

/** isDeadlineExceeded reports a DeadlineExceeded RuntimeError. */
export function isDeadlineExceeded(e: unknown): boolean {
  return e instanceof RuntimeError && e.code === 'DeadlineExceeded';
}
