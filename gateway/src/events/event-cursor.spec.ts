import { formatCursor, parseCursor } from './event-cursor';

describe('event cursor', () => {
  it('round-trips positions of several streams in a stable order', () => {
    const text = formatCursor(
      new Map([
        ['PIPELINE', 17],
        ['CONTACT', 42],
      ]),
    );
    expect(text).toBe('CONTACT:42,PIPELINE:17');
    expect(parseCursor(text)).toEqual(
      new Map([
        ['CONTACT', 42],
        ['PIPELINE', 17],
      ]),
    );
  });

  it('ignores a malformed Last-Event-ID instead of guessing', () => {
    expect(parseCursor('CONTACT:x')).toBeUndefined();
    expect(parseCursor('contact:1')).toBeUndefined();
    expect(parseCursor('')).toBeUndefined();
    expect(parseCursor('CONTACT:1,,')).toBeUndefined();
  });
});
