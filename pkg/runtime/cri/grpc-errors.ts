// grpc-errors.ts: carry RuntimeError codes across gRPC (server side: to a status; client side: back).
import * as grpc from '@grpc/grpc-js';
import { RuntimeError, type RuntimeErrorCode } from '../errors.js';
import { isImageError } from '../image/errors.js';

const toStatus: Record<RuntimeErrorCode, grpc.status> = {
  NotFound: grpc.status.NOT_FOUND,
  AlreadyExists: grpc.status.ALREADY_EXISTS,
  InvalidArgument: grpc.status.INVALID_ARGUMENT,
  FailedPrecondition: grpc.status.FAILED_PRECONDITION,
  DeadlineExceeded: grpc.status.DEADLINE_EXCEEDED,
  Unimplemented: grpc.status.UNIMPLEMENTED,
  Internal: grpc.status.INTERNAL,
};

/** toServiceError converts any thrown value into a gRPC error with the right status code. */
export function toServiceError(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof RuntimeError) return { code: toStatus[e.code], details: e.message };
  if (isImageError(e)) {
    // the reason travels in the message so the agent can still tell ErrImagePull causes apart
    const details = `${e.reason}: ${e.message}`;
    if (e.reason === 'NotFound') return { code: grpc.status.NOT_FOUND, details };
    if (e.reason === 'InvalidReference') return { code: grpc.status.INVALID_ARGUMENT, details };
    return { code: grpc.status.INTERNAL, details };
  }
  return { code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) };
}

/** fromServiceError converts a gRPC client error back into a RuntimeError. */
export function fromServiceError(e: unknown): unknown {
  const err = e as Partial<grpc.ServiceError>;
  if (typeof err?.code !== 'number') return e;
  const code = (Object.entries(toStatus).find(([, s]) => s === err.code)?.[0] ?? 'Internal') as RuntimeErrorCode;
  return new RuntimeError(code, err.details || err.message || 'runtime call failed');
}
