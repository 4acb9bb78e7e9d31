import { z } from 'zod';
import { HttpProblem } from './problem';
import { parseInput } from './validation';

const schema = z.strictObject({
  firstName: z.string(),
  emails: z.array(z.strictObject({ address: z.email() })).optional(),
});

function problemOf(fn: () => unknown): HttpProblem {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpProblem) return error;
  }
  throw new Error('expected an HttpProblem');
}

describe('parseInput', () => {
  it('returns the parsed value', () => {
    expect(parseInput(schema, { firstName: 'Ada' }, 'body')).toEqual({ firstName: 'Ada' });
  });

  it('names every offending field, nested ones by path', () => {
    const problem = problemOf(() => parseInput(schema, { firstName: 1, emails: [{ address: 'x' }] }, 'body'));
    expect(problem.status).toBe(400);
    expect(problem.problem.errors?.map((e) => e.field)).toEqual(['firstName', 'emails[0].address']);
  });

  it('rejects unknown properties, and says which are server-owned', () => {
    const problem = problemOf(() => parseInput(schema, { firstName: 'A', tenantId: 'globex', isAdmin: true }, 'body'));
    expect(problem.problem.errors).toEqual([
      { field: 'tenantId', detail: 'is set by the server and cannot be written' },
      { field: 'isAdmin', detail: 'is not a known property' },
    ]);
  });
});
