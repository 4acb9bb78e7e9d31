import {
  Metadata,
  status as GrpcStatus,
  type ServiceError as GrpcServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import { BadRequest, ErrorInfo, ErrorStatus } from '@crm/proto/crm/common/v1/errors';
import { ServiceError, type ErrorCode } from '../errors/service-error';

const DETAILS_KEY = 'grpc-status-details-bin';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
const ERROR_DOMAIN = 'crm';

const CODE_BY_NAME: Record<ErrorCode, GrpcStatus> = {
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  PERMISSION_DENIED: GrpcStatus.PERMISSION_DENIED,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  FAILED_PRECONDITION: GrpcStatus.FAILED_PRECONDITION,
  ABORTED: GrpcStatus.ABORTED,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  DEADLINE_EXCEEDED: GrpcStatus.DEADLINE_EXCEEDED,
  INTERNAL: GrpcStatus.INTERNAL,
};

const NAME_BY_CODE = new Map<number, ErrorCode>(
  Object.entries(CODE_BY_NAME).map(([name, code]) => [code, name as ErrorCode]),
);

/**
 * A ServiceError becomes a status with details (BadRequest, ErrorInfo) in grpc-status-details-bin. Anything else
 * is INTERNAL with a fixed message: no stack or internal detail reaches the caller.
 */
export function toGrpcStatus(error: unknown): Partial<StatusObject> {
  if (!(error instanceof ServiceError))
    return { code: GrpcStatus.INTERNAL, details: 'Internal error', metadata: new Metadata() };
  const code = CODE_BY_NAME[error.code];
  const details = [];
  if (error.violations.length > 0)
    details.push({
      typeUrl: BAD_REQUEST_TYPE,
      value: Buffer.from(BadRequest.encode({ fieldViolations: error.violations }).finish()),
    });
  if (error.reason)
    details.push({
      typeUrl: ERROR_INFO_TYPE,
      value: Buffer.from(
        ErrorInfo.encode({ reason: error.reason, domain: ERROR_DOMAIN, metadata: error.metadata }).finish(),
      ),
    });
  const metadata = new Metadata();
  metadata.set(DETAILS_KEY, Buffer.from(ErrorStatus.encode({ code, message: error.message, details }).finish()));
  return { code, details: error.message, metadata };
}

/** The reverse, for a service calling another: field violations and reasons survive the hop. */
export function fromGrpcError(error: GrpcServiceError): ServiceError {
  const name = NAME_BY_CODE.get(error.code) ?? 'INTERNAL';
  const raw = error.metadata?.get(DETAILS_KEY)[0];
  if (!Buffer.isBuffer(raw)) return new ServiceError(name, error.details || name);
  const decoded = ErrorStatus.decode(raw);
  const violations = decoded.details
    .filter((d) => d.typeUrl === BAD_REQUEST_TYPE)
    .flatMap((d) => BadRequest.decode(d.value).fieldViolations);
  const info = decoded.details.filter((d) => d.typeUrl === ERROR_INFO_TYPE).map((d) => ErrorInfo.decode(d.value))[0];
  return new ServiceError(name, decoded.message || error.details, {
    violations,
    reason: info?.reason,
    metadata: info?.metadata,
  });
}

export function isGrpcError(error: unknown): error is GrpcServiceError {
  return error instanceof Error && typeof (error as Partial<GrpcServiceError>).code === 'number' && 'metadata' in error;
}
