// Property: for random deals over owners, teams, stages and tenants, the board, the deal list and the forecast each
// role gets contain exactly the deals that role may see (the kit's visibility rule, decided here on the records
// independently of the SQL), and nothing deleted. Real tokens, real servers.
import fc from 'fast-check';
import { credentials, Metadata } from '@grpc/grpc-js';
import { PipelineServiceClient, type GetForecastResponse } from '@crm/proto/crm/pipeline/v1/pipeline';
import { DealServiceClient, type Deal } from '@crm/proto/crm/pipeline/v1/deal';
import { principalFromClaims, scopeAllows, scopeOf, type Principal } from '@crm/service-kit';
import { clientToken, decodeClaims } from '@crm/testkit';
import { dealInput, PipelineHarness, type Api } from './support/pipeline-harness';

type Role = 'admin' | 'manager' | 'rep1' | 'rep3' | 'globex';

interface Reader {
  principal: Principal;
  board(pipelineId: string): Promise<Deal[]>;
  list(pipelineId: string): Promise<Deal[]>;
  forecast(pipelineId: string, from: string, to: string): Promise<GetForecastResponse>;
}

interface DealSpec {
  owner: number;
  team: number;
  stage: number;
  amount: number;
  currency: 'USD' | 'EUR';
  closeInDays: number;
  deleted: boolean;
}

const TEAMS = ['acme-east', 'acme-west', 'acme-north', ''];

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('board, list and forecast show each role exactly the deals it may see (property)', () => {
  const h = new PipelineHarness();
  const readers = {} as Record<Role | 'partner', Reader>;
  let admin: Api;
  let owners: string[];

  function readerOf(token: string): Reader {
    const principal = principalFromClaims(decodeClaims(token)) as Principal;
    const address = `127.0.0.1:${h.pipeline.grpcPort}`;
    const deals = new DealServiceClient(address, credentials.createInsecure());
    const pipelines = new PipelineServiceClient(address, credentials.createInsecure());
    const call = <Req, Res>(client: object, method: string, request: Req) =>
      new Promise<Res>((resolve, reject) => {
        const metadata = new Metadata();
        metadata.set('authorization', `Bearer ${token}`);
        const fn = (client as Record<string, (...args: unknown[]) => void>)[method] as (...args: unknown[]) => void;
        fn.call(client, request, metadata, (error: Error | null, response: Res) =>
          error ? reject(error) : resolve(response),
        );
      });
    return {
      principal,
      async board(pipelineId) {
        // Another tenant's pipeline does not exist for the caller.
        const answer = await call<object, { columns: Array<{ deals: Deal[]; dealCount: number }> }>(
          pipelines,
          'getBoard',
          { pipelineId, dealsPerStage: 100, ownerId: '', teamId: '' },
        ).catch((error: { code?: number }) => {
          if (error.code === 5) return { columns: [] };
          throw error;
        });
        for (const column of answer.columns) expect(column.deals.length).toBe(column.dealCount);
        return answer.columns.flatMap((c) => c.deals);
      },
      async list(pipelineId) {
        const all: Deal[] = [];
        let cursor = '';
        do {
          const page = await call<object, { deals: Deal[]; page?: { nextCursor: string } }>(deals, 'listDeals', {
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
            page: { limit: 3, cursor },
          });
          all.push(...page.deals);
          cursor = page.page?.nextCursor ?? '';
        } while (cursor);
        return all;
      },
      forecast: (pipelineId, from, to) =>
        call<object, GetForecastResponse>(pipelines, 'getForecast', {
          range: { startDate: from, endDate: to },
          pipelineId,
        }),
    };
  }

  beforeAll(async () => {
    await h.start();
    const apis = await Promise.all([
      h.as('acme-admin'),
      h.as('acme-manager'),
      h.as('acme-rep1'),
      h.as('acme-rep2'),
      h.as('acme-rep3'),
      h.as('globex-admin'),
    ]);
    const [adminApi, manager, rep1, rep2, rep3, globex] = apis;
    admin = adminApi as Api;
    owners = [rep1, rep2, rep3, manager].map((api) => (api as Api).userId).concat(['ghost-user']);
    readers.admin = readerOf((adminApi as Api).token);
    readers.manager = readerOf((manager as Api).token);
    readers.rep1 = readerOf((rep1 as Api).token);
    readers.rep3 = readerOf((rep3 as Api).token);
    readers.globex = readerOf((globex as Api).token);
    readers.partner = readerOf(await clientToken('acme-partner'));
  });

  afterAll(() => h.stop());

  const dealSpec: fc.Arbitrary<DealSpec> = fc.record({
    owner: fc.nat(4),
    team: fc.nat(TEAMS.length - 1),
    stage: fc.nat(5),
    amount: fc.integer({ min: 0, max: 1_000_000 }),
    currency: fc.constantFrom('USD' as const, 'EUR' as const),
    closeInDays: fc.integer({ min: -10, max: 10 }),
    deleted: fc.boolean(),
  });

  it('holds for random deals', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(dealSpec, { minLength: 1, maxLength: 10 }), async (specs) => {
        const { pipeline } = await admin.pipelines.createPipeline({ name: `Property ${Date.now()}`, stages: [] });
        const stages = pipeline?.stages ?? [];
        const created: Array<{ deal: Deal; deleted: boolean }> = [];
        for (const spec of specs) {
          const stage = stages[spec.stage] ?? stages[0];
          const { deal } = await admin.deals.createDeal({
            deal: dealInput({
              title: 'Property deal',
              pipelineId: pipeline?.id ?? '',
              stageId: stage?.id ?? '',
              ownerId: owners[spec.owner] ?? '',
              teamId: TEAMS[spec.team] ?? '',
              amount: { amountMinor: spec.amount, currency: spec.currency },
              expectedCloseDate: day(spec.closeInDays),
              lostReason: stage?.kind === 'lost' ? 'Property' : '',
            }),
          });
          if (!deal) throw new Error('no deal');
          if (spec.deleted) await admin.deals.deleteDeal({ id: deal.id, expectedVersion: deal.version });
          created.push({ deal, deleted: spec.deleted });
        }
        const lostStages = new Set(stages.filter((s) => s.kind === 'lost').map((s) => s.id));
        const [from, to] = [day(-5), day(5)];
        for (const [role, reader] of Object.entries(readers)) {
          const scope = scopeOf(reader.principal, 'deals', 'read');
          const visible = created
            .filter(({ deal, deleted }) => !deleted && scopeAllows(scope, { ...deal, tenantId: 'acme' }))
            .map(({ deal }) => deal);
          const ids = (deals: Deal[]) => deals.map((d) => d.id).sort();
          const expected = ids(visible);
          expect({ role, board: ids(await reader.board(pipeline?.id ?? '')) }).toEqual({ role, board: expected });
          expect({ role, list: ids(await reader.list(pipeline?.id ?? '')) }).toEqual({ role, list: expected });
          // Won deals forecast on the day they closed (today), open ones on their expected close date; lost ones
          // count nowhere.
          const inPeriod = visible.filter(
            (d) =>
              !lostStages.has(d.stageId) &&
              (d.status === 'won' || (d.expectedCloseDate >= from && d.expectedCloseDate <= to)),
          );
          const forecast = await reader.forecast(pipeline?.id ?? '', from, to);
          const counted = forecast.totals.reduce((n, f) => n + f.openDealCount + f.wonDealCount, 0);
          expect({ role, forecast: counted }).toEqual({ role, forecast: inPeriod.length });
          expect({ role, owners: forecast.byOwner.map((o) => o.ownerId).sort() }).toEqual({
            role,
            owners: [...new Set(inPeriod.map((d) => d.ownerId))].sort(),
          });
        }
      }),
      { numRuns: 4 },
    );
  }, 300_000);
});
