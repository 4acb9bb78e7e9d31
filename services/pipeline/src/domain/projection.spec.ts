import { cellKey, foldChanges, projectionChanges, type DealFacts } from './projection';

const facts = (over: Partial<DealFacts> = {}): DealFacts => ({
  pipelineId: 'p1',
  stageId: 's1',
  status: 'open',
  ownerId: 'u1',
  teamId: 'east',
  currency: 'USD',
  amountMinor: 1000,
  forecastDate: '2025-03-10',
  deleted: false,
  ...over,
});

describe('projection changes', () => {
  it('adds a created deal to its board and forecast cells', () => {
    const changes = projectionChanges(undefined, facts());
    expect(changes).toEqual([
      {
        target: { kind: 'board', pipelineId: 'p1' },
        cells: [
          {
            key: 's1~u1~east~USD',
            cell: { stageId: 's1', ownerId: 'u1', teamId: 'east', currency: 'USD' },
            count: 1,
            amountMinor: 1000,
          },
        ],
      },
      {
        target: { kind: 'forecast', month: '2025-03', grain: 'day' },
        cells: [
          expect.objectContaining({
            cell: expect.objectContaining({ date: '2025-03-10' }),
            count: 1,
            amountMinor: 1000,
          }),
        ],
      },
      {
        target: { kind: 'forecast', month: '2025-03', grain: 'month' },
        cells: [
          expect.objectContaining({ cell: expect.objectContaining({ date: '2025-03' }), count: 1, amountMinor: 1000 }),
        ],
      },
    ]);
  });

  it('nets a change of amount in one cell, and touches nothing for a change that does not matter', () => {
    const changes = projectionChanges(facts(), facts({ amountMinor: 1500 }));
    expect(changes.map((c) => c.cells.map((x) => [x.count, x.amountMinor]))).toEqual([
      [[0, 500]],
      [[0, 500]],
      [[0, 500]],
    ]);
    expect(projectionChanges(facts(), facts())).toEqual([]);
  });

  it('moves a deal between stages and months, and drops a deleted one', () => {
    const moved = projectionChanges(facts(), facts({ stageId: 's2', forecastDate: '2025-04-01' }));
    expect(moved.map((c) => [c.target, c.cells.map((x) => x.count)])).toEqual([
      [{ kind: 'board', pipelineId: 'p1' }, [-1, 1]],
      [{ kind: 'forecast', month: '2025-03', grain: 'day' }, [-1]],
      [{ kind: 'forecast', month: '2025-03', grain: 'month' }, [-1]],
      [{ kind: 'forecast', month: '2025-04', grain: 'day' }, [1]],
      [{ kind: 'forecast', month: '2025-04', grain: 'month' }, [1]],
    ]);
    // Within one month, only the day cell moves; the month cell nets to nothing.
    expect(projectionChanges(facts(), facts({ forecastDate: '2025-03-20' })).map((c) => c.target)).toEqual([
      { kind: 'forecast', month: '2025-03', grain: 'day' },
    ]);
    expect(projectionChanges(facts(), facts({ deleted: true })).flatMap((c) => c.cells.map((x) => x.count))).toEqual([
      -1, -1, -1,
    ]);
  });

  it('adds up to the current state whatever order the changes come in', () => {
    const v1 = facts();
    const v2 = facts({ stageId: 's2', amountMinor: 2000 });
    const v3 = facts({ stageId: 's3', amountMinor: 2000, ownerId: 'u2' });
    const forward = foldChanges([
      ...projectionChanges(undefined, v1),
      ...projectionChanges(v1, v2),
      ...projectionChanges(v2, v3),
    ]);
    const shuffled = foldChanges([
      ...projectionChanges(v2, v3),
      ...projectionChanges(undefined, v1),
      ...projectionChanges(v1, v2),
    ]);
    const nonZero = (m: ReturnType<typeof foldChanges>) =>
      [...m.values()]
        .flatMap((c) =>
          c.cells.filter((x) => x.count !== 0 || x.amountMinor !== 0).map((x) => [x.key, x.count, x.amountMinor]),
        )
        .sort();
    expect(nonZero(shuffled)).toEqual(nonZero(forward));
    expect(nonZero(forward)).toEqual(nonZero(foldChanges(projectionChanges(undefined, v3))));
  });

  it('escapes key parts that Mongo field names cannot hold', () => {
    expect(cellKey({ stageId: '$s', ownerId: 'a.b', teamId: 'x~y', currency: 'USD' })).toBe('%24s~a%2Eb~x%7Ey~USD');
  });
});
