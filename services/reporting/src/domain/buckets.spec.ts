import { bucketEndWithin, bucketsOf, openAtBucketEnds } from './buckets';

describe('buckets', () => {
  it('lists the months and ISO weeks that overlap a period', () => {
    expect(bucketsOf({ from: '2024-11-15', to: '2025-02-01' }, 'month')).toEqual([
      '2024-11',
      '2024-12',
      '2025-01',
      '2025-02',
    ]);
    expect(bucketsOf({ from: '2024-12-31', to: '2025-01-13' }, 'week')).toEqual(['2025-W01', '2025-W02', '2025-W03']);
  });

  it("ends a bucket at the period's end when that comes first", () => {
    const range = { from: '2025-01-01', to: '2025-02-14' };
    expect(bucketEndWithin('2025-01', 'month', range)).toBe('2025-02-01');
    expect(bucketEndWithin('2025-02', 'month', range)).toBe('2025-02-15');
    expect(bucketEndWithin('2025-W02', 'week', range)).toBe('2025-01-13');
    expect(bucketEndWithin('Jan', 'month', range)).toBeUndefined();
  });

  it('counts open deals at each bucket end from those open at the start, created and closed', () => {
    const open = openAtBucketEnds(
      ['2025-01', '2025-02', '2025-03'],
      [{ currency: 'EUR', count: 5 }],
      [
        { group: '2025-01', currency: 'EUR', count: 2 },
        { group: '2025-02', currency: 'USD', count: 1 },
      ],
      [
        { group: '2025-02', currency: 'EUR', count: 4 },
        { group: '2025-03', currency: 'USD', count: 1 },
      ],
    );
    expect(open).toEqual([
      { group: '2025-01', currency: 'EUR', count: 7 },
      { group: '2025-02', currency: 'EUR', count: 3 },
      { group: '2025-02', currency: 'USD', count: 1 },
      { group: '2025-03', currency: 'EUR', count: 3 },
    ]);
  });
});
