import { describe, expect, it } from 'vitest';
import { ApiError, describeError, formErrorsOf, problemOf } from './problem';
import { idempotent } from './http-client';

describe('problem+json', () => {
  const validation = {
    type: '/problems/validation',
    title: 'Bad Request',
    status: 400,
    detail: 'The request has invalid fields',
    errors: [
      { field: 'emails[0].address', detail: 'must be an email address' },
      { field: 'customFields.budget', detail: 'must be a number' },
    ],
    requestId: 'r-1',
  };

  it('keeps the well-typed members of a problem', () => {
    expect(problemOf(400, validation)).toEqual(validation);
    expect(
      problemOf(409, { type: '/problems/duplicate', title: 'Conflict', status: 409, existingId: 'c9' }),
    ).toMatchObject({
      existingId: 'c9',
    });
  });

  it('ignores members of the wrong type and malformed field errors', () => {
    const problem = problemOf(422, {
      title: 7,
      detail: ['x'],
      errors: [{ field: 'a' }, 'b', { field: 'c', detail: 'd' }],
    });
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Request failed',
      status: 422,
      errors: [{ field: 'c', detail: 'd' }],
    });
  });

  it('turns a text body into the detail, but not an HTML error page', () => {
    expect(problemOf(502, 'upstream timed out', 'Bad Gateway')).toEqual({
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      detail: 'upstream timed out',
    });
    expect(problemOf(502, '<html><body>nginx</body></html>').detail).toBeUndefined();
    expect(problemOf(500, undefined).title).toBe('Server error');
  });

  it('describes an error for a toast with the detail and the named fields', () => {
    expect(describeError(ApiError.fromAnswer(400, validation))).toBe(
      'The request has invalid fields: emails[0].address must be an email address; customFields.budget must be a number',
    );
    expect(
      describeError(ApiError.fromAnswer(412, { title: 'Precondition Failed', detail: 'The record changed' })),
    ).toBe('The record changed');
    expect(describeError(ApiError.network())).toMatch(/could not be reached/);
    expect(describeError(new Error('boom'))).toBe('boom');
  });

  it('maps field errors to form fields, array indexes included', () => {
    const error = ApiError.fromAnswer(400, validation);
    expect(formErrorsOf(error, { 'emails[].address': 'email' })).toEqual({
      email: 'must be an email address',
      'customFields.budget': 'must be a number',
    });
    expect(formErrorsOf(new Error('x'))).toEqual({});
  });

  it('classifies conflicts and not-found', () => {
    expect(ApiError.fromAnswer(412, {}).isConflict).toBe(true);
    expect(ApiError.fromAnswer(404, {}).isNotFound).toBe(true);
    expect(ApiError.fromAnswer(409, {}).isConflict).toBe(false);
    expect(ApiError.network().kind).toBe('network');
  });
});

describe('idempotent POSTs', () => {
  const noSleep = () => Promise.resolve();

  it('retries after a network failure with the same Idempotency-Key', async () => {
    const keys: string[] = [];
    const result = await idempotent((headers) => {
      keys.push(headers['Idempotency-Key']);
      if (keys.length < 3) return Promise.reject(ApiError.network());
      return Promise.resolve('created');
    }, noSleep);
    expect(result).toBe('created');
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
  });

  it('retries while the first attempt is still running (409 idempotency-key-in-use)', async () => {
    let calls = 0;
    const result = await idempotent(() => {
      calls += 1;
      if (calls === 1)
        return Promise.reject(
          ApiError.fromAnswer(409, { type: '/problems/idempotency-key-in-use', title: 'Conflict' }),
        );
      return Promise.resolve('done');
    }, noSleep);
    expect(result).toBe('done');
  });

  it('does not retry an answer that will not change, and gives up after the last retry', async () => {
    let calls = 0;
    await expect(
      idempotent(() => {
        calls += 1;
        return Promise.reject(ApiError.fromAnswer(400, { title: 'Bad Request' }));
      }, noSleep),
    ).rejects.toMatchObject({ status: 400 });
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      idempotent(() => {
        calls += 1;
        return Promise.reject(ApiError.network());
      }, noSleep),
    ).rejects.toMatchObject({ kind: 'network' });
    expect(calls).toBe(3);
  });
});
