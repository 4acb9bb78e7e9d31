import { eventDigest, pack, unpack } from './projection-codec';

describe('projection codec', () => {
  it('round-trips board and forecast cells, writing each id once', () => {
    const board = {
      stageId: 's1',
      ownerId: 'owner-with-a-long-id',
      teamId: 'east',
      currency: 'USD',
      count: 3,
      amountMinor: 12_345,
    };
    const forecast = {
      date: '2026-03-01',
      pipelineId: 'p',
      stageId: 's1',
      ownerId: 'owner-with-a-long-id',
      teamId: 'east',
      currency: 'EUR',
      count: 1,
      amountMinor: -5,
    };
    const data = pack([board, forecast], ['a', 'b']);
    expect(data.match(/owner-with-a-long-id/g)).toHaveLength(1);
    const { cells, applied } = unpack(data);
    expect([...cells.values()]).toEqual([board, forecast]);
    expect([...cells.keys()]).toEqual([
      's1~owner-with-a-long-id~east~USD',
      '2026-03-01~p~s1~owner-with-a-long-id~east~EUR',
    ]);
    expect(applied).toEqual(['a', 'b']);
  });

  it('reads a missing document as empty', () => {
    expect(unpack(undefined)).toEqual({ cells: new Map(), applied: [] });
  });

  it('digests event ids to short, stable, distinct strings', () => {
    expect(eventDigest('e1')).toHaveLength(12);
    expect(eventDigest('e1')).toBe(eventDigest('e1'));
    expect(eventDigest('e1')).not.toBe(eventDigest('e2'));
  });
});
