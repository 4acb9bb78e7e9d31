import { invalidArgument, type FieldViolation, type ServiceError } from '@crm/service-kit';

/** INVALID_ARGUMENT whose message names every field too, so that logs and plain gRPC tools show the reason. */
export function invalidFields(violations: FieldViolation[]): ServiceError {
  return invalidArgument(
    violations,
    violations.map((v) => `${v.field} ${v.description}`).join('; ') || 'Request has invalid fields',
  );
}
