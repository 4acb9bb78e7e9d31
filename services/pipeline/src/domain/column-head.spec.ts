import { headOf, keepFirst, placeInHead, removeFromHead, type ColumnHead, type HeadEntry } from './column-head';

const e = (id: string, rank: string): HeadEntry => ({ id, rank });
const ids = (head: ColumnHead) => head.entries.map((entry) => entry.id);

describe('column head', () => {
  it('is complete when the column fits, and keeps only `size` entries otherwise', () => {
    expect(headOf([e('a', 'a1'), e('b', 'a2')], 3)).toEqual({ entries: [e('a', 'a1'), e('b', 'a2')], complete: true });
    expect(headOf([e('a', 'a1'), e('b', 'a2'), e('c', 'a3'), e('d', 'a4')], 3)).toEqual({
      entries: [e('a', 'a1'), e('b', 'a2'), e('c', 'a3')],
      complete: false,
    });
  });

  it('places a deal in rank order, ties broken by id, and moves it when its rank changes', () => {
    let head = headOf([e('a', 'a1'), e('c', 'a3')], 5);
    head = placeInHead(head, e('b', 'a2'), 5);
    head = placeInHead(head, e('a0', 'a2'), 5);
    expect(ids(head)).toEqual(['a', 'a0', 'b', 'c']);
    head = placeInHead(head, e('a', 'a9'), 5);
    expect(ids(head)).toEqual(['a0', 'b', 'c', 'a']);
  });

  it('drops the last entry when full, and then no longer knows the whole column', () => {
    const head = placeInHead(headOf([e('a', 'a1'), e('b', 'a2')], 2), e('z', 'a0'), 2);
    expect(head).toEqual({ entries: [e('z', 'a0'), e('a', 'a1')], complete: false });
  });

  it('leaves out a deal ranked after the last entry of an incomplete head, even one it held', () => {
    const head = headOf([e('a', 'a1'), e('b', 'a2'), e('c', 'a3')], 2);
    expect(ids(placeInHead(head, e('x', 'a5'), 2))).toEqual(['a', 'b']);
    expect(ids(placeInHead(head, e('a', 'a5'), 2))).toEqual(['b']);
  });

  it('takes a deal ranked anywhere while it holds the whole column', () => {
    expect(ids(placeInHead(headOf([e('a', 'a1')], 3), e('x', 'z9'), 3))).toEqual(['a', 'x']);
  });

  it('removes a deal that left, whatever else it holds', () => {
    expect(removeFromHead(headOf([e('a', 'a1'), e('b', 'a2')], 5), 'a')).toEqual({
      entries: [e('b', 'a2')],
      complete: true,
    });
  });

  it('keeps the first `count` entries of a stream, in order, whatever order they come in', () => {
    const stream = [e('d', 'a4'), e('a', 'a1'), e('e', 'a5'), e('c', 'a3'), e('b', 'a2'), e('b0', 'a2')];
    const firsts = stream.reduce<HeadEntry[]>((kept, entry) => keepFirst(kept, entry, 3), []);
    expect(firsts.map((entry) => entry.id)).toEqual(['a', 'b', 'b0']);
  });
});
