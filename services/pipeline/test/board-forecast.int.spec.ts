import type { Deal } from '@crm/proto/crm/pipeline/v1/deal';
import type { ForecastFigures, GetBoardResponse, Pipeline } from '@crm/proto/crm/pipeline/v1/pipeline';
import { eventually } from '@crm/testkit';
import { rebuildDealReadModel } from '../src/store/rebuild-read-model';
import type { DealRecord } from '../src/store/deal.records';
import { createDeal, PipelineHarness, usd, type Api } from './support/pipeline-harness';

type Totals = Record<string, Record<string, { count: number; amount: number; weighted: number }>>;

/** Every deal of the pipeline the caller can list, page by page. */
async function visibleDeals(api: Api, pipelineId: string): Promise<Deal[]> {
  const all: Deal[] = [];
  let cursor = '';
  do {
    const { deals, page } = await api.deals.listDeals({
      filter: {
        pipelineId,
        stageId: '',
        status: '',
        ownerId: '',
        teamId: '',
        contactId: '',
        companyId: '',
        includeDeleted: false,
      },
      page: { limit: 7, cursor },
    });
    all.push(...deals);
    cursor = page?.nextCursor ?? '';
  } while (cursor);
  return all;
}

/** Hand-summed from the listed deals: count, amount and Σ amount × probability / 100 per stage and currency. */
function expectedTotals(deals: Deal[], pipeline: Pipeline): Totals {
  const totals: Totals = {};
  for (const deal of deals) {
    const stage = totals[deal.stageId] ?? (totals[deal.stageId] = {});
    const currency = deal.amount?.currency ?? '';
    const t = stage[currency] ?? (stage[currency] = { count: 0, amount: 0, weighted: 0 });
    t.count += 1;
    t.amount += deal.amount?.amountMinor ?? 0;
  }
  for (const [stageId, byCurrency] of Object.entries(totals)) {
    const probability = pipeline.stages.find((s) => s.id === stageId)?.probability ?? 0;
    for (const t of Object.values(byCurrency)) t.weighted = Math.round((t.amount * probability) / 100);
  }
  return totals;
}

/** Key order does not matter: compare as sorted JSON. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function boardTotals(board: GetBoardResponse): Totals {
  const totals: Totals = {};
  for (const column of board.columns) {
    if (column.totals.length === 0) continue;
    totals[column.stage?.id ?? ''] = Object.fromEntries(
      column.totals.map((t) => [
        t.currency,
        { count: t.dealCount, amount: t.amount?.amountMinor ?? 0, weighted: t.weightedAmount?.amountMinor ?? 0 },
      ]),
    );
  }
  return totals;
}

interface PlainFigures {
  currency: string;
  closedWon: number;
  commit: number;
  bestCase: number;
  pipeline: number;
  weightedPipeline: number;
  wonDealCount: number;
  openDealCount: number;
}

const figures = (currency: string, f: Partial<PlainFigures>): PlainFigures => ({
  currency,
  closedWon: 0,
  commit: 0,
  bestCase: 0,
  pipeline: 0,
  weightedPipeline: 0,
  wonDealCount: 0,
  openDealCount: 0,
  ...f,
});
const money = (currency: string) => (amountMinor: number) => ({ amountMinor, currency });

describe('board and forecast on the real servers', () => {
  const h = new PipelineHarness();
  let users: Record<'rep1' | 'rep2' | 'rep3' | 'manager' | 'admin', Api>;
  let pipeline: Pipeline;
  const stage = (name: string) => pipeline.stages.find((s) => s.name === name)?.id ?? '';

  beforeAll(async () => {
    await h.start();
    const [rep1, rep2, rep3, manager, admin] = await Promise.all([
      h.as('acme-rep1'),
      h.as('acme-rep2'),
      h.as('acme-rep3'),
      h.as('acme-manager'),
      h.as('acme-admin'),
    ]);
    users = { rep1, rep2, rep3, manager, admin };
    pipeline = (await admin.pipelines.getPipeline({ id: '' })).pipeline as Pipeline;
  });

  afterAll(() => h.stop());

  it('shows totals equal to the sum of the deals each caller can see, per stage and currency', async () => {
    const amounts = [1_001, 250_000, 3_333, 75_050, 999, 12_345];
    let n = 0;
    for (const [name, api] of Object.entries(users)) {
      for (const stageName of ['Prospecting', 'Qualification', 'Proposal', 'Negotiation']) {
        const amount = amounts[n++ % amounts.length] as number;
        await createDeal(api, {
          title: `${name} ${stageName}`,
          stageId: stage(stageName),
          amount: n % 3 === 0 ? { amountMinor: amount, currency: 'EUR' } : usd(amount),
        });
      }
    }
    // Changes after creation must show as well: a move, an amount change, a close, a delete.
    const [first, second, third, fourth] = await visibleDeals(users.rep1, pipeline.id);
    await users.rep1.deals.moveDeal({
      id: first?.id ?? '',
      expectedVersion: 1,
      stageId: stage('Won'),
      afterDealId: '',
      beforeDealId: '',
      lostReason: '',
    });
    await users.rep1.deals.updateDeal({
      id: second?.id ?? '',
      expectedVersion: 1,
      deal: { ...(second as Deal), amount: usd(777_777) } as never,
      updateMask: ['amount'],
    });
    await users.rep1.deals.moveDeal({
      id: third?.id ?? '',
      expectedVersion: 1,
      stageId: stage('Lost'),
      afterDealId: '',
      beforeDealId: '',
      lostReason: 'Timing',
    });
    await users.rep1.deals.deleteDeal({ id: fourth?.id ?? '', expectedVersion: 1 });

    for (const [name, api] of Object.entries(users)) {
      const expected = expectedTotals(await visibleDeals(api, pipeline.id), pipeline);
      const board = await eventually(
        async () => {
          const answer = await api.pipelines.getBoard({
            pipelineId: pipeline.id,
            dealsPerStage: 3,
            ownerId: '',
            teamId: '',
          });
          return canonical(boardTotals(answer)) === canonical(expected) ? answer : undefined;
        },
        15_000,
        200,
      ).catch(async (error: unknown) => {
        const answer = await api.pipelines.getBoard({
          pipelineId: pipeline.id,
          dealsPerStage: 3,
          ownerId: '',
          teamId: '',
        });
        throw new Error(
          `${name}: board ${canonical(boardTotals(answer))} != deals ${canonical(expected)} (${String(error)})`,
        );
      });
      // Each column lists at most the first page of deals, all visible, in rank order, with a cursor for more.
      for (const column of board.columns) {
        expect(column.deals.length).toBeLessThanOrEqual(3);
        expect(column.deals.length).toBe(Math.min(3, Number(column.dealCount)));
        expect(column.nextCursor !== '').toBe(column.dealCount > 3);
        const ranks = column.deals.map((d) => d.rank);
        expect([...ranks].sort()).toEqual(ranks);
        expect(column.deals.every((d) => d.stageId === column.stage?.id)).toBe(true);
      }
    }
    // Narrowing to one owner stays within what the caller may see.
    const narrowed = await users.manager.pipelines.getBoard({
      pipelineId: pipeline.id,
      dealsPerStage: -1,
      ownerId: users.rep2.userId,
      teamId: '',
    });
    expect(boardTotals(narrowed)).toEqual(expectedTotals(await visibleDeals(users.rep2, pipeline.id), pipeline));
    expect(narrowed.columns.every((c) => c.deals.length === 0)).toBe(true);
    const other = await users.rep1.pipelines.getBoard({
      pipelineId: pipeline.id,
      dealsPerStage: -1,
      ownerId: users.rep3.userId,
      teamId: '',
    });
    expect(other.columns.every((c) => c.dealCount === 0)).toBe(true);
  });

  it('rebuilds the read model from the event log to the same totals', async () => {
    const board = async () =>
      boardTotals(
        await users.admin.pipelines.getBoard({ pipelineId: pipeline.id, dealsPerStage: -1, ownerId: '', teamId: '' }),
      );
    const before = await board();
    const replayed = await rebuildDealReadModel({ db: h.pipeline.app.dealsView.db, events: h.pipeline.deps.events });
    expect(replayed).toBeGreaterThan(0);
    expect(await board()).toEqual(before);
  });

  it('never lets a late, older state of a deal take the board back', async () => {
    const deal = await createDeal(users.rep1, { stageId: stage('Prospecting'), amount: usd(4_242) });
    await users.rep1.deals.moveDeal({
      id: deal.id,
      expectedVersion: 1,
      stageId: stage('Proposal'),
      afterDealId: '',
      beforeDealId: '',
      lostReason: '',
    });
    const before = boardTotals(
      await users.rep1.pipelines.getBoard({ pipelineId: pipeline.id, dealsPerStage: -1, ownerId: '', teamId: '' }),
    );
    // Version 1 again, as a redelivered or reordered event would bring it.
    const first = await h.pipeline.deps.events.get<DealRecord>(`${deal.id}:1`);
    await h.pipeline.app.deals.project([first?.state as DealRecord]);
    const after = boardTotals(
      await users.rep1.pipelines.getBoard({ pipelineId: pipeline.id, dealsPerStage: -1, ownerId: '', teamId: '' }),
    );
    expect(after).toEqual(before);
    expect(after[stage('Proposal')]?.USD?.count).toBeGreaterThan(0);
  });

  describe('forecast of a fixed fixture (tenant globex)', () => {
    let rep: Api;
    let admin: Api;
    let day: string;
    let stages: Record<string, string>;

    beforeAll(async () => {
      [rep, admin] = await Promise.all([h.as('globex-rep1'), h.as('globex-admin')]);
      const { pipeline: globexPipeline } = await admin.pipelines.getPipeline({ id: '' });
      stages = Object.fromEntries((globexPipeline?.stages ?? []).map((s) => [s.name, s.id]));
      const win = async (api: Api, amount: number) => {
        const deal = await createDeal(api, { amount: usd(amount) });
        return (
          await api.deals.moveDeal({
            id: deal.id,
            expectedVersion: 1,
            stageId: stages.Won as string,
            afterDealId: '',
            beforeDealId: '',
            lostReason: '',
          })
        ).deal as Deal;
      };
      const won = await win(rep, 100_000);
      day = (won.closedAt as Date).toISOString().slice(0, 10);
      const wonByAdmin = await win(admin, 50_000);
      if ((wonByAdmin.closedAt as Date).toISOString().slice(0, 10) !== day)
        throw new Error('the fixture straddled midnight UTC; run again');
      const later = new Date(Date.parse(`${day}T00:00:00Z`) + 40 * 86_400_000).toISOString().slice(0, 10);
      const open = (api: Api, stageName: string, amount: number, currency = 'USD', expectedCloseDate = day) =>
        createDeal(api, {
          stageId: stages[stageName] as string,
          amount: { amountMinor: amount, currency },
          expectedCloseDate,
        });
      await open(rep, 'Negotiation', 40_000); // commit, 75 %
      await open(rep, 'Proposal', 20_000); // best case, 50 %
      await open(rep, 'Prospecting', 10_000); // pipeline, 10 %
      await open(rep, 'Qualification', 8_000); // pipeline, 25 %
      await open(rep, 'Negotiation', 1_000, 'EUR');
      await open(rep, 'Negotiation', 7_777, 'USD', later); // outside the period
      await open(rep, 'Negotiation', 5_555, 'USD', ''); // no close date: in no period
      await open(admin, 'Proposal', 30_000);
      const gone = await open(rep, 'Negotiation', 3_333);
      await rep.deals.deleteDeal({ id: gone.id, expectedVersion: 1 });
      const lost = await open(rep, 'Negotiation', 99_999);
      await rep.deals.moveDeal({
        id: lost.id,
        expectedVersion: 1,
        stageId: stages.Lost as string,
        afterDealId: '',
        beforeDealId: '',
        lostReason: 'Price',
      });
    });

    const usdOf = money('USD');
    const repUsd = () =>
      figures('USD', {
        closedWon: 100_000,
        commit: 40_000,
        bestCase: 20_000,
        pipeline: 18_000,
        weightedPipeline: 43_000,
        wonDealCount: 1,
        openDealCount: 4,
      });
    const repEur = () => figures('EUR', { commit: 1_000, weightedPipeline: 750, openDealCount: 1 });
    const adminUsd = () =>
      figures('USD', {
        closedWon: 50_000,
        bestCase: 30_000,
        weightedPipeline: 15_000,
        wonDealCount: 1,
        openDealCount: 1,
      });

    function plain(list: ForecastFigures[]) {
      return list.map((f) => ({
        currency: f.currency,
        closedWon: f.closedWon?.amountMinor,
        commit: f.commit?.amountMinor,
        bestCase: f.bestCase?.amountMinor,
        pipeline: f.pipeline?.amountMinor,
        weightedPipeline: f.weightedPipeline?.amountMinor,
        wonDealCount: f.wonDealCount,
        openDealCount: f.openDealCount,
      }));
    }

    it('equals the hand-computed figures by owner, by team and in total, per currency', async () => {
      const expected = {
        byOwner: [
          { ownerId: rep.userId, figures: [repEur(), repUsd()] },
          { ownerId: admin.userId, figures: [adminUsd()] },
        ].sort((a, b) => a.ownerId.localeCompare(b.ownerId)),
        byTeam: [
          { teamId: '', figures: [adminUsd()] },
          { teamId: 'globex-sales', figures: [repEur(), repUsd()] },
        ],
        totals: [
          figures('EUR', { commit: 1_000, weightedPipeline: 750, openDealCount: 1 }),
          figures('USD', {
            closedWon: 150_000,
            commit: 40_000,
            bestCase: 50_000,
            pipeline: 18_000,
            weightedPipeline: 58_000,
            wonDealCount: 2,
            openDealCount: 5,
          }),
        ],
      };
      const answer = await eventually(
        async () => {
          const forecast = await admin.pipelines.getForecast({
            range: { startDate: day, endDate: day },
            pipelineId: '',
          });
          const shaped = {
            byOwner: forecast.byOwner.map((o) => ({ ownerId: o.ownerId, figures: plain(o.figures) })),
            byTeam: forecast.byTeam.map((t) => ({ teamId: t.teamId, figures: plain(t.figures) })),
            totals: plain(forecast.totals),
          };
          return JSON.stringify(shaped) === JSON.stringify(expected) ? forecast : undefined;
        },
        15_000,
        200,
      );
      expect(answer.range).toEqual({ startDate: day, endDate: day });
      expect(answer.totals[1]?.weightedPipeline).toEqual(usdOf(58_000));
      // The month holds exactly the same deals (the one outside the period is 40 days later).
      const month = await admin.pipelines.getForecast({ month: day.slice(0, 7), pipelineId: '' });
      expect(plain(month.totals)).toEqual(expected.totals);
    });

    it('shows a rep only their own figures', async () => {
      const forecast = await rep.pipelines.getForecast({ range: { startDate: day, endDate: day }, pipelineId: '' });
      expect(forecast.byOwner.map((o) => o.ownerId)).toEqual([rep.userId]);
      expect(plain(forecast.totals)).toEqual([repEur(), repUsd()]);
    });

    it('refuses a period that is not one', async () => {
      await expect(admin.pipelines.getForecast({ month: '2031-13', pipelineId: '' })).rejects.toMatchObject({
        details: expect.stringContaining('month'),
      });
    });
  });
});
