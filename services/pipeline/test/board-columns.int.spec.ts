import type { Deal } from '@crm/proto/crm/pipeline/v1/deal';
import type { Pipeline } from '@crm/proto/crm/pipeline/v1/pipeline';
import { lockKey } from '@crm/service-kit';
import { eventually } from '@crm/testkit';
import { rebuildProjections } from '../src/app/rebuild-projections';
import { COLUMN_HEADS } from '../src/store/column-head.repository';
import { createDeal, PipelineHarness, type Api } from './support/pipeline-harness';

/** Heads of three deals, so that every column here is longer than its head. */
const HEAD_SIZE = 3;

describe('board columns read from column heads on the real servers', () => {
  const h = new PipelineHarness();
  let users: Record<'rep1' | 'rep2' | 'rep3' | 'manager' | 'admin', Api>;
  let pipeline: Pipeline;
  const stage = (name: string) => pipeline.stages.find((s) => s.name === name)?.id ?? '';
  const heads = () =>
    h.pipeline.deps.mongo.collection<{ _id: string; entries: Array<{ id: string; rank: string }>; builtAt: Date }>(
      COLUMN_HEADS,
    );
  const headIdOf = (stageName: string) => `acme:${pipeline.id}:${stage(stageName)}`;

  /** The whole column as the caller lists it, page by page: the board's order. */
  async function listed(api: Api, stageName: string): Promise<Deal[]> {
    const all: Deal[] = [];
    let cursor = '';
    do {
      const { deals, page } = await api.deals.listDeals({
        filter: {
          pipelineId: pipeline.id,
          stageId: stage(stageName),
          status: '',
          ownerId: '',
          teamId: '',
          contactId: '',
          companyId: '',
          includeDeleted: false,
        },
        page: { limit: 4, cursor },
      });
      all.push(...deals);
      cursor = page?.nextCursor ?? '';
    } while (cursor);
    return all;
  }

  async function boardColumn(api: Api, stageName: string, perStage: number) {
    const { columns } = await api.pipelines.getBoard({
      pipelineId: pipeline.id,
      dealsPerStage: perStage,
      ownerId: '',
      teamId: '',
    });
    const column = columns.find((c) => c.stage?.id === stage(stageName));
    if (!column) throw new Error(`no column ${stageName}`);
    return column;
  }

  /** The board shows the column's first deals, and its cursor lists the rest without a gap or a repeat. */
  async function expectColumnAsListed(api: Api, stageName: string, perStage: number): Promise<void> {
    const all = await listed(api, stageName);
    const column = await boardColumn(api, stageName, perStage);
    expect(column.deals.map((d) => d.id)).toEqual(all.slice(0, perStage).map((d) => d.id));
    expect(column.nextCursor !== '').toBe(all.length > perStage);
    if (!column.nextCursor) return;
    const { deals: rest } = await api.deals.listDeals({
      filter: {
        pipelineId: pipeline.id,
        stageId: stage(stageName),
        status: '',
        ownerId: '',
        teamId: '',
        contactId: '',
        companyId: '',
        includeDeleted: false,
      },
      page: { limit: 100, cursor: column.nextCursor },
    });
    expect([...column.deals, ...rest].map((d) => d.id)).toEqual(all.map((d) => d.id));
  }

  beforeAll(async () => {
    await h.start({ boardHeadSize: HEAD_SIZE });
    const [rep1, rep2, rep3, manager, admin] = await Promise.all([
      h.as('acme-rep1'),
      h.as('acme-rep2'),
      h.as('acme-rep3'),
      h.as('acme-manager'),
      h.as('acme-admin'),
    ]);
    users = { rep1, rep2, rep3, manager, admin };
    pipeline = (await admin.pipelines.getPipeline({ id: '' })).pipeline as Pipeline;
    for (const api of [rep1, rep3, rep2, manager, rep1, rep3, rep2])
      await createDeal(api, { title: `by ${api.userId}`, stageId: stage('Prospecting') });
  });

  afterAll(() => h.stop());

  it('shows every caller the first deals they may see, within and beyond the head', async () => {
    for (const api of [users.admin, users.manager, users.rep1, users.rep3]) {
      for (const perStage of [1, 2, 5]) await expectColumnAsListed(api, 'Prospecting', perStage);
    }
    // Seven deals, a head of three: the stored head holds the first three and knows it is not the whole column.
    const head = await heads().findOne({ _id: headIdOf('Prospecting') });
    expect(head?.entries.map((e) => e.id)).toEqual(
      (await listed(users.admin, 'Prospecting')).slice(0, HEAD_SIZE).map((d) => d.id),
    );
  });

  it('follows reorders, moves between columns, deletes and restores', async () => {
    const admin = users.admin;
    const [top, , , , last] = await listed(admin, 'Prospecting');
    if (!top || !last) throw new Error('fixture');
    await admin.deals.moveDeal({
      id: last.id,
      expectedVersion: last.version,
      stageId: '',
      afterDealId: '',
      beforeDealId: top.id,
      lostReason: '',
    });
    await expectColumnAsListed(admin, 'Prospecting', 2);
    expect((await boardColumn(admin, 'Prospecting', 1)).deals[0]?.id).toBe(last.id);

    const moved = (await admin.deals.getDeal({ id: last.id, includeDeleted: false })).deal as Deal;
    await admin.deals.moveDeal({
      id: moved.id,
      expectedVersion: moved.version,
      stageId: stage('Qualification'),
      afterDealId: '',
      beforeDealId: '',
      lostReason: '',
    });
    await expectColumnAsListed(admin, 'Prospecting', 2);
    await expectColumnAsListed(admin, 'Qualification', 2);
    expect((await boardColumn(admin, 'Qualification', 2)).deals.map((d) => d.id)).toContain(moved.id);

    const [first] = await listed(admin, 'Prospecting');
    if (!first) throw new Error('fixture');
    await admin.deals.deleteDeal({ id: first.id, expectedVersion: first.version });
    await expectColumnAsListed(admin, 'Prospecting', 2);
    expect((await boardColumn(admin, 'Prospecting', 2)).deals.map((d) => d.id)).not.toContain(first.id);
    await admin.deals.restoreDeal({ id: first.id, expectedVersion: first.version + 1 });
    await expectColumnAsListed(admin, 'Prospecting', 2);
    expect((await boardColumn(admin, 'Prospecting', 1)).deals[0]?.id).toBe(first.id);
    await expectColumnAsListed(users.manager, 'Prospecting', 2);
  });

  it('rebuilds a head whose entries no longer match their deals before answering from it', async () => {
    const [first] = await listed(users.admin, 'Prospecting');
    await heads().updateOne(
      { _id: headIdOf('Prospecting') },
      { $set: { entries: [{ id: first?.id ?? '', rank: '~stale' }] } },
    );
    await expectColumnAsListed(users.admin, 'Prospecting', 2);
    expect((await heads().findOne({ _id: headIdOf('Prospecting') }))?.entries[0]).toEqual({
      id: first?.id,
      rank: first?.rank,
    });
  });

  it("builds every column's head while rebuilding the projections", async () => {
    await heads().deleteMany({});
    const result = await rebuildProjections(h.pipeline.app, 'acme');
    const all = await listed(users.admin, 'Prospecting');
    expect(result.heads).toBeGreaterThanOrEqual(2);
    const head = await heads().findOne({ _id: headIdOf('Prospecting') });
    expect(head?.entries).toEqual(all.slice(0, HEAD_SIZE).map((d) => ({ id: d.id, rank: d.rank })));
    expect((head as unknown as { complete: boolean }).complete).toBe(all.length <= HEAD_SIZE);
    await expectColumnAsListed(users.admin, 'Prospecting', 2);
  });

  it('answers from the column itself while another reader holds the head being built', async () => {
    const lockId = lockKey(COLUMN_HEADS, headIdOf('Proposal'));
    for (const api of [users.rep1, users.rep2])
      await createDeal(api, { title: 'proposal', stageId: stage('Proposal') });
    await heads().deleteOne({ _id: headIdOf('Proposal') });
    const locks = h.pipeline.deps.mongo.collection<{ _id: string; owner: string; expiresAt: Date }>('document_locks');
    await locks.insertOne({ _id: lockId, owner: 'another reader', expiresAt: new Date(Date.now() + 60_000) });
    try {
      await expectColumnAsListed(users.admin, 'Proposal', 1);
      expect(await heads().findOne({ _id: headIdOf('Proposal') })).toBeNull();
    } finally {
      await locks.deleteOne({ _id: lockId });
    }
  });

  it('rebuilds an old head, healing a change a crash kept from it', async () => {
    const all = await listed(users.admin, 'Prospecting');
    // As if the process had died between a deal's write and its head update: the first deal is missing.
    await heads().updateOne(
      { _id: headIdOf('Prospecting') },
      {
        $set: {
          entries: all.slice(1, 1 + HEAD_SIZE).map((d) => ({ id: d.id, rank: d.rank })),
          builtAt: new Date(Date.now() - 60 * 60_000),
        },
      },
    );
    await eventually(
      async () => {
        const column = await boardColumn(users.admin, 'Prospecting', 2);
        return column.deals.map((d) => d.id).join() ===
          all
            .slice(0, 2)
            .map((d) => d.id)
            .join()
          ? column
          : undefined;
      },
      10_000,
      200,
    );
    await expectColumnAsListed(users.admin, 'Prospecting', 2);
  });
});
