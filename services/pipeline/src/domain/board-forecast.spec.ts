import { boardTotals, type BoardCell } from './board';
import { computeForecast, resolvePeriod, type ForecastCell } from './forecast';
import { buildStages } from './pipeline';
import { DEFAULT_STAGES, type Stage } from './stage';

let seq = 0;
const stages = buildStages(DEFAULT_STAGES, () => `s${++seq}`);
const id = (name: string) => (stages.find((s) => s.name === name) as Stage).id;

describe('board totals', () => {
  it('sums count, amount and weighted amount per stage and currency, in stage order', () => {
    const cells: BoardCell[] = [
      { stageId: id('Proposal'), currency: 'USD', count: 2, amountMinor: 30_000 },
      { stageId: id('Proposal'), currency: 'USD', count: 1, amountMinor: 1_001 },
      { stageId: id('Proposal'), currency: 'EUR', count: 1, amountMinor: 500 },
      { stageId: id('Won'), currency: 'USD', count: 1, amountMinor: 7_000 },
      { stageId: 'gone', currency: 'USD', count: 1, amountMinor: 1 },
    ];
    const columns = boardTotals(stages, cells);
    expect(columns.map((c) => c.stage.name)).toEqual([
      'Prospecting',
      'Qualification',
      'Proposal',
      'Negotiation',
      'Won',
      'Lost',
    ]);
    const proposal = columns[2];
    expect(proposal?.dealCount).toBe(4);
    // 31 001 × 50 % = 15 500.5 → 15 501; 500 × 50 % = 250.
    expect(proposal?.totals).toEqual([
      { currency: 'EUR', dealCount: 1, amountMinor: 500, weightedMinor: 250 },
      { currency: 'USD', dealCount: 3, amountMinor: 31_001, weightedMinor: 15_501 },
    ]);
    expect(columns[4]?.totals).toEqual([{ currency: 'USD', dealCount: 1, amountMinor: 7_000, weightedMinor: 7_000 }]);
    expect(columns[0]).toMatchObject({ dealCount: 0, totals: [] });
  });

  it('shows an archived stage only while deals are still in it', () => {
    const archived = stages.map((s) => (s.name === 'Qualification' ? { ...s, archived: true } : s));
    expect(boardTotals(archived, []).map((c) => c.stage.name)).not.toContain('Qualification');
    const left = [{ stageId: id('Qualification'), currency: 'USD', count: 1, amountMinor: 10 }];
    expect(boardTotals(archived, left).find((c) => c.stage.name === 'Qualification')?.dealCount).toBe(1);
  });
});

describe('forecast', () => {
  const stageOf = (pipelineId: string, stageId: string) =>
    pipelineId === 'p1' ? stages.find((s) => s.id === stageId) : undefined;
  const cell = (
    stage: string,
    ownerId: string,
    teamId: string,
    amountMinor: number,
    currency = 'USD',
    count = 1,
  ): ForecastCell => ({
    pipelineId: 'p1',
    stageId: id(stage),
    ownerId,
    teamId,
    currency,
    count,
    amountMinor,
  });

  it('splits won, commit, best case and pipeline, and weights what is open and not omitted', () => {
    const result = computeForecast(
      [
        cell('Won', 'u1', 'east', 100_000),
        cell('Negotiation', 'u1', 'east', 40_000), // commit, 75 %
        cell('Proposal', 'u1', 'east', 20_000), // best case, 50 %
        cell('Prospecting', 'u2', 'east', 10_000, 'USD', 2), // pipeline, 10 %
        cell('Qualification', 'u2', 'east', 8_000), // pipeline, 25 %
        cell('Lost', 'u2', 'east', 99_999),
        cell('Negotiation', 'u3', 'west', 1_000, 'EUR'),
      ],
      stageOf,
    );
    expect(result.byOwner).toEqual([
      {
        ownerId: 'u1',
        figures: [
          {
            currency: 'USD',
            closedWon: 100_000,
            commit: 40_000,
            bestCase: 20_000,
            pipeline: 0,
            weightedPipeline: 40_000,
            wonDealCount: 1,
            openDealCount: 2,
          },
        ],
      },
      {
        ownerId: 'u2',
        figures: [
          {
            currency: 'USD',
            closedWon: 0,
            commit: 0,
            bestCase: 0,
            pipeline: 18_000,
            weightedPipeline: 3_000,
            wonDealCount: 0,
            openDealCount: 3,
          },
        ],
      },
      {
        ownerId: 'u3',
        figures: [
          {
            currency: 'EUR',
            closedWon: 0,
            commit: 1_000,
            bestCase: 0,
            pipeline: 0,
            weightedPipeline: 750,
            wonDealCount: 0,
            openDealCount: 1,
          },
        ],
      },
    ]);
    expect(result.byTeam.map((t) => [t.teamId, t.figures.map((f) => [f.currency, f.weightedPipeline])])).toEqual([
      ['east', [['USD', 43_000]]],
      ['west', [['EUR', 750]]],
    ]);
    expect(result.totals.map((f) => [f.currency, f.closedWon, f.weightedPipeline])).toEqual([
      ['EUR', 0, 750],
      ['USD', 100_000, 43_000],
    ]);
  });

  it('resolves months, quarters and custom ranges, and refuses bad ones', () => {
    expect(resolvePeriod({ quarter: '2025-Q2' })).toEqual({ start: '2025-04-01', end: '2025-06-30' });
    expect(resolvePeriod({ range: { startDate: '2025-01-15', endDate: '2025-02-14' } })).toEqual({
      start: '2025-01-15',
      end: '2025-02-14',
    });
    expect(() => resolvePeriod({ range: { startDate: '2025-02-15', endDate: '2025-02-14' } })).toThrow();
    expect(() => resolvePeriod({ range: { startDate: '2020-01-01', endDate: '2025-01-01' } })).toThrow(/24 months/);
    expect(() => resolvePeriod({})).toThrow();
    expect(() => resolvePeriod({ month: '2025-3' })).toThrow();
  });
});
