import type { ErrorCode, FieldViolation, ServiceError } from '@crm/service-kit/edge';
import { HttpProblem, type InvalidParam } from '../http/problem';

// The gRPC → HTTP table of ARCHITECTURE.md ("Calls").
const STATUS_BY_CODE: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  INTERNAL: 500,
};

const VERSION_MISMATCH = 'VERSION_MISMATCH';

/** Maps a service's error to problem+json; an INTERNAL error's message is never passed on. */
export function problemFromServiceError(error: ServiceError): HttpProblem {
  const status =
    error.code === 'FAILED_PRECONDITION' && error.reason === VERSION_MISMATCH ? 412 : STATUS_BY_CODE[error.code];
  const reason = error.reason ? { reason: error.reason } : {};
  switch (error.code) {
    case 'INVALID_ARGUMENT':
      return new HttpProblem(status, error.message, {
        type: 'validation',
        errors: error.violations.map(toInvalidParam),
        ...reason,
      });
    case 'ALREADY_EXISTS': {
      const existingId =
        error.metadata.existingId ??
        error.metadata.existing_id ??
        error.metadata.duplicateId ??
        error.metadata.duplicate_id;
      return new HttpProblem(status, error.message, {
        type: 'duplicate',
        ...reason,
        ...(existingId ? { existingId } : {}),
      });
    }
    case 'FAILED_PRECONDITION':
      return new HttpProblem(status, error.message, {
        ...(status === 412 ? { type: 'version-mismatch' as const } : {}),
        ...reason,
      });
    case 'RESOURCE_EXHAUSTED':
      return new HttpProblem(status, error.message, reason, { 'retry-after': retryAfterOf(error) });
    // Transport failures describe the network (addresses, resolvers): nothing of it reaches the client.
    case 'UNAVAILABLE':
      return new HttpProblem(
        status,
        'A service is unavailable; retry later',
        {},
        { 'retry-after': retryAfterOf(error) },
      );
    case 'DEADLINE_EXCEEDED':
      return new HttpProblem(status, 'A service did not answer in time');
    case 'INTERNAL':
      return new HttpProblem(500, 'The request could not be completed');
    case 'UNAUTHENTICATED':
      return new HttpProblem(
        401,
        'The access token was not accepted',
        {},
        { 'www-authenticate': 'Bearer realm="crm", error="invalid_token"' },
      );
    default:
      return new HttpProblem(status, error.message, reason);
  }
}

function retryAfterOf(error: ServiceError): string {
  const seconds = Number(error.metadata.retryAfterSeconds ?? error.metadata.retry_after_seconds ?? 1);
  return String(Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1);
}

/** "emails[1].address" stays, "custom_fields.budget_eur" becomes "customFields.budget_eur": keys of custom fields are data. */
export function toInvalidParam(violation: FieldViolation): InvalidParam {
  return { field: camelPath(violation.field), detail: violation.description };
}

export function camelPath(path: string): string {
  const segments = path.split('.');
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    out.push(i > 0 && segments[i - 1]?.replace(/\[\d+\]$/, '') === 'custom_fields' ? segment : camelSegment(segment));
  }
  return out.join('.');
}

function camelSegment(segment: string): string {
  return segment.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
