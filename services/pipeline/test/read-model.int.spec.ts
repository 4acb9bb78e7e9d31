// The read model is derived: dropped and rebuilt from the event log by the rebuild command, it equals the one the
// requests and the stream consumer kept live.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { dropDatabase, openReadModel, type ReadModel } from '@crm/service-kit';
import { infraEnv, uniqueDbName } from '@crm/testkit';
import { pipelineMigrations, type PipelineReadModel } from '../src/store/read-model.schema';
import { createDeal, dealInput, PipelineHarness, usd, type Api } from './support/pipeline-harness';

// The built command, as `pnpm --filter @crm/pipeline-service rebuild` and the chart's rebuild Job run it.
const REBUILD = path.resolve(__dirname, '../dist/rebuild.js');

function rebuild(
  mongoDb: string,
  postgresDb: string,
  args: string[] = [],
): Promise<{ code: number | null; out: string }> {
  const infra = infraEnv();
  const child = spawn(process.execPath, [REBUILD, ...args], {
    env: {
      PATH: process.env.PATH,
      MONGODB_URL: infra.mongoUrl,
      MONGODB_DB: mongoDb,
      POSTGRES_URL: infra.postgresUrl,
      POSTGRES_DB: postgresDb,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

/** The deals and the board totals kept beside them (deal_totals), row for row. */
async function rows(readModel: ReadModel<PipelineReadModel>): Promise<{ deals: unknown[]; totals: unknown[] }> {
  const [deals, totals] = await Promise.all([
    readModel.db.selectFrom('deals').selectAll().orderBy('id').execute(),
    readModel.db
      .selectFrom('deal_totals')
      .selectAll()
      .orderBy('tenant_id')
      .orderBy('pipeline_id')
      .orderBy('stage_id')
      .orderBy('owner_id')
      .orderBy('team_id')
      .orderBy('currency')
      .execute(),
  ]);
  return { deals, totals };
}

describe('the deals read model, dropped and rebuilt from the event log', () => {
  const h = new PipelineHarness();
  const fresh = uniqueDbName('prebuild');
  let rep: Api;
  let admin: Api;

  beforeAll(async () => {
    await h.start();
    [rep, admin] = await Promise.all([h.as('acme-rep1'), h.as('acme-admin')]);
    const { pipeline } = await admin.pipelines.getPipeline({ id: '' });
    const stage = (name: string) => pipeline?.stages.find((s) => s.name === name)?.id ?? '';
    const deals = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => createDeal(rep, { title: `Deal ${i}`, amount: usd(i * 1_000) })),
    );
    const [a, b, c, d] = deals;
    const move = (id: string, version: number, stageId: string, lostReason = '') =>
      rep.deals.moveDeal({ id, expectedVersion: version, stageId, afterDealId: '', beforeDealId: '', lostReason });
    await move(a?.id ?? '', 1, stage('Proposal'));
    await move(a?.id ?? '', 2, stage('Won'));
    await move(b?.id ?? '', 1, stage('Lost'), 'Price');
    await rep.deals.deleteDeal({ id: c?.id ?? '', expectedVersion: 1 });
    await rep.deals.updateDeal({
      id: d?.id ?? '',
      expectedVersion: 1,
      deal: dealInput({ title: 'Renamed', amount: { amountMinor: 77, currency: 'EUR' } }),
      updateMask: ['title', 'amount'],
    });
    await createDeal(admin, { title: 'Given away', ownerId: 'someone-else', teamId: 'acme-west' });
    await h.pipeline.app.deals.drain();
  });

  afterAll(async () => {
    await dropDatabase(infraEnv().postgresUrl, fresh);
    await h.stop();
  });

  it('rebuilds into a new database with progress output, equal to the live one', async () => {
    const live = await rows(h.pipeline.deps.readModel as ReadModel<PipelineReadModel>);
    expect(live.deals).toHaveLength(6);
    // Live deals only (one was deleted), in groups by stage, owner, team and currency.
    expect(live.totals.length).toBeGreaterThan(1);
    const { code, out } = await rebuild(h.databases.pipeline, fresh);
    expect({ code, out }).toMatchObject({ code: 0 });
    expect(out).toMatch(/deals: \d+\/\d+ events \(100 %/);
    expect(out).toMatch(/done: \d+ events/);
    const rebuilt = await openReadModel<PipelineReadModel>({
      url: infraEnv().postgresUrl,
      database: fresh,
      migrations: pipelineMigrations,
    });
    try {
      expect(await rows(rebuilt)).toEqual(live);
    } finally {
      await rebuilt.close();
    }
  });

  it('empties the live table and replays into it to the same rows', async () => {
    const readModel = h.pipeline.deps.readModel as ReadModel<PipelineReadModel>;
    const live = await rows(readModel);
    const { code } = await rebuild(h.databases.pipeline, h.databases.pipeline);
    expect(code).toBe(0);
    expect(await rows(readModel)).toEqual(live);
  });
});
