import { appendRank, isValidRank, rankBetween, RankError } from './rank';

describe('fractional rank', () => {
  it('starts in the middle and appends and prepends with short keys', () => {
    expect(rankBetween(null, null)).toBe('a0');
    expect(rankBetween('a0', null)).toBe('a1');
    expect(rankBetween(null, 'a0')).toBe('Zz');
    expect(rankBetween('az', null)).toBe('b00');
    expect(rankBetween(null, 'b00')).toBe('az');
  });

  it('finds a key strictly between two neighbours', () => {
    expect(rankBetween('a0', 'a1')).toBe('a0V');
    expect(rankBetween('a0', 'a0V')).toBe('a0G');
    expect(rankBetween('a0V', 'a1')).toBe('a0l');
    const between = rankBetween('a1', 'a2');
    expect(between > 'a1' && between < 'a2').toBe(true);
  });

  it('keeps order through many inserts at the same spot, at both ends and in the middle', () => {
    const keys = [rankBetween(null, null)];
    for (let i = 0; i < 200; i++) keys.push(rankBetween(keys[keys.length - 1] ?? null, null));
    for (let i = 0; i < 200; i++) keys.unshift(rankBetween(null, keys[0] ?? null));
    let low = keys[10] as string;
    const high = keys[11] as string;
    for (let i = 0; i < 50; i++) {
      const mid = rankBetween(low, high);
      expect(mid > low && mid < high).toBe(true);
      low = mid;
    }
    expect([...keys].sort()).toEqual(keys);
    expect(keys.every(isValidRank)).toBe(true);
    // Appending 200 times grows keys logarithmically, not linearly.
    expect(Math.max(...keys.map((k) => k.length))).toBeLessThanOrEqual(4);
    expect(low.length).toBeLessThan(15);
  });

  it('appends ten thousand keys in order with short keys', () => {
    let last: string | null = null;
    for (let i = 0; i < 10_000; i++) {
      const next = rankBetween(last, null);
      if (last !== null) expect(next > last).toBe(true);
      last = next;
    }
    expect((last ?? '').length).toBeLessThanOrEqual(4);
  });

  it('rejects neighbours out of order and malformed keys', () => {
    expect(() => rankBetween('a1', 'a0')).toThrow(RankError);
    expect(() => rankBetween('a1', 'a1')).toThrow(RankError);
    expect(() => rankBetween('a10', null)).toThrow(RankError); // trailing zero in the fraction
    expect(() => rankBetween('!', null)).toThrow(RankError);
    expect(isValidRank('a0')).toBe(true);
    expect(isValidRank('a')).toBe(false);
    expect(isValidRank('a0V')).toBe(true);
  });

  it('appends by the clock: later after earlier, after the keys moves make, apart within one millisecond', () => {
    const t = new Date('2026-03-01T12:00:00.000Z');
    const values = [0.1, 0.2, 0.3, 0.9, 0.8, 0.7];
    let n = 0;
    const random = () => values[n++ % values.length] as number;
    const first = appendRank(t, random);
    const twin = appendRank(t, random);
    const later = appendRank(new Date(t.getTime() + 1), random);
    expect(first).not.toBe(twin);
    expect(later > first && later > twin).toBe(true);
    expect(first > rankBetween('az', null)).toBe(true);
    for (const key of [first, twin, later]) expect(isValidRank(key)).toBe(true);
    // The board's moves work with them: between two appends, and below the last.
    const between = rankBetween(first < twin ? first : twin, later);
    expect(between > (first < twin ? first : twin) && between < later).toBe(true);
    expect(rankBetween(later, null) > later).toBe(true);
    expect(appendRank(new Date('2081-01-01T00:00:00Z'))).toMatch(/^g/);
  });
});
