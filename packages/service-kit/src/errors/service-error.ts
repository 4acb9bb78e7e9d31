// One error type crosses every layer: domain code throws it, the gRPC interceptor maps it to a status with
// details, and the gateway maps that status to problem+json. Pure: no I/O, safe to use from domain/.

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL';

export interface FieldViolation {
  /** Path of the offending input field, e.g. "emails[1].address" or "customFields.budget". */
  field: string;
  description: string;
}

export interface ServiceErrorOptions {
  violations?: FieldViolation[];
  /** Machine-readable reason, e.g. "VERSION_MISMATCH", "DUPLICATE". */
  reason?: string;
  /** Safe-to-share facts about the error, e.g. the id of the existing duplicate. */
  metadata?: Record<string, string>;
}

export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly violations: FieldViolation[];
  readonly reason: string | undefined;
  readonly metadata: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: ServiceErrorOptions = {}) {
    super(message);
    this.name = 'ServiceError';
    this.code = code;
    this.violations = options.violations ?? [];
    this.reason = options.reason;
    this.metadata = options.metadata ?? {};
  }
}

export function invalidArgument(violations: FieldViolation[], message = 'Request has invalid fields'): ServiceError {
  return new ServiceError('INVALID_ARGUMENT', message, { violations });
}

/** Not found, and also what a caller gets for a record it may not see, so existence never leaks. */
export function notFound(kind: string): ServiceError {
  return new ServiceError('NOT_FOUND', `${kind} not found`);
}

export function versionMismatch(expected: number, actual?: number): ServiceError {
  const metadata: Record<string, string> = { expectedVersion: String(expected) };
  if (actual !== undefined) metadata.currentVersion = String(actual);
  return new ServiceError('FAILED_PRECONDITION', 'The record was changed by someone else', {
    reason: 'VERSION_MISMATCH',
    metadata,
  });
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof ServiceError;
}
