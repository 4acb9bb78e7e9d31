import { afterCursor, decodeCursor, encodeCursor, pageOf, pageSize } from './cursor';

describe('cursor pagination', () => {
  it('round-trips an opaque cursor and refuses a forged one', () => {
    const key = { at: new Date('2026-01-01T00:00:00Z'), id: 'abc' };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    expect(decodeCursor('')).toBeUndefined();
    expect(() => decodeCursor('not-a-cursor')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('bounds the page size', () => {
    expect(pageSize(0)).toBe(50);
    expect(pageSize(200)).toBe(200);
    expect(() => pageSize(201)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('selects rows after the cursor in (date desc, id desc) order and cuts pages', () => {
    const at = new Date(5);
    expect(afterCursor('updatedAt', { at, id: 'm' })).toEqual({
      $or: [{ updatedAt: { $lt: at } }, { updatedAt: at, _id: { $lt: 'm' } }],
    });
    const rows = [
      { _id: 'c', t: new Date(3) },
      { _id: 'b', t: new Date(2) },
      { _id: 'a', t: new Date(1) },
    ];
    const page = pageOf(rows, 2, (r) => r.t);
    expect(page.rows.map((r) => r._id)).toEqual(['c', 'b']);
    expect(decodeCursor(page.nextCursor)).toEqual({ at: new Date(2), id: 'b' });
    expect(pageOf(rows, 3, (r) => r.t).nextCursor).toBe('');
  });
});
