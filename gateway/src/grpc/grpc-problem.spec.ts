import { ServiceError, versionMismatch } from '@crm/service-kit/edge';
import { camelPath, problemFromServiceError } from './grpc-problem';

describe('problemFromServiceError (ARCHITECTURE.md table)', () => {
  it.each([
    ['INVALID_ARGUMENT', 400],
    ['UNAUTHENTICATED', 401],
    ['PERMISSION_DENIED', 403],
    ['NOT_FOUND', 404],
    ['ALREADY_EXISTS', 409],
    ['FAILED_PRECONDITION', 409],
    ['RESOURCE_EXHAUSTED', 429],
    ['UNAVAILABLE', 503],
    ['DEADLINE_EXCEEDED', 504],
    ['INTERNAL', 500],
  ] as const)('%s → %i', (code, status) => {
    expect(problemFromServiceError(new ServiceError(code, 'x')).status).toBe(status);
  });

  it('makes a version mismatch 412', () => {
    expect(problemFromServiceError(versionMismatch(2, 3)).status).toBe(412);
  });

  it('lists field violations in camelCase and passes the existing id of a duplicate', () => {
    const invalid = problemFromServiceError(
      new ServiceError('INVALID_ARGUMENT', 'bad', {
        violations: [
          { field: 'emails[1].address', description: 'invalid' },
          { field: 'custom_fields.budget_eur', description: 'too big' },
        ],
      }),
    );
    expect(invalid.problem.errors).toEqual([
      { field: 'emails[1].address', detail: 'invalid' },
      { field: 'customFields.budget_eur', detail: 'too big' },
    ]);
    const duplicate = problemFromServiceError(
      new ServiceError('ALREADY_EXISTS', 'dup', { reason: 'DUPLICATE', metadata: { existingId: 'c-1' } }),
    );
    expect(duplicate.problem.existingId).toBe('c-1');
  });

  it('answers 429 and 503 with Retry-After, and never passes on internal or transport details', () => {
    expect(
      problemFromServiceError(
        new ServiceError('RESOURCE_EXHAUSTED', 'slow down', { metadata: { retryAfterSeconds: '3' } }),
      ).headers['retry-after'],
    ).toBe('3');
    const unavailable = problemFromServiceError(new ServiceError('UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.7:50051'));
    expect(unavailable.headers['retry-after']).toBe('1');
    expect(unavailable.message).not.toContain('10.0.0.7');
    expect(problemFromServiceError(new ServiceError('INTERNAL', 'TypeError at foo.ts:12')).message).not.toContain(
      'foo.ts',
    );
  });

  it('camelCases proto paths', () => {
    expect(camelPath('address.postal_code')).toBe('address.postalCode');
  });
});
