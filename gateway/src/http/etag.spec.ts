import { etagOf, parseIfMatch, requirePrecondition } from './etag';
import { HttpProblem } from './problem';

describe('ETag / If-Match', () => {
  it('round-trips a version', () => {
    expect(parseIfMatch(etagOf(7))).toEqual({ kind: 'version', version: 7 });
    expect(parseIfMatch('*')).toEqual({ kind: 'any' });
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it('answers 412 for a weak or foreign tag, 400 for a list, 428 when required but absent', () => {
    const statusOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as HttpProblem).status;
      }
      return 0;
    };
    expect(statusOf(() => parseIfMatch('W/"3"'))).toBe(412);
    expect(statusOf(() => parseIfMatch('"abc"'))).toBe(412);
    expect(statusOf(() => parseIfMatch('"1", "2"'))).toBe(400);
    expect(statusOf(() => requirePrecondition(undefined))).toBe(428);
  });
});
