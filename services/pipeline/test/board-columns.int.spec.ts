import type { Deal } from '@crm/proto/crm/pipeline/v1/deal';
import type { Pipeline } from '@crm/proto/crm/pipeline/v1/pipeline';
import { createDeal, failure, PipelineHarness, type Api } from './support/pipeline-harness';

describe('board columns from the read model on the real servers', () => {
  const h = new PipelineHarness();
  let users: Record<'rep1' | 'rep2' | 'rep3' | 'manager' | 'admin', Api>;
  let pipeline: Pipeline;
  const stage = (name: string) => pipeline.stages.find((s) => s.name === name)?.id ?? '';

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
    for (const api of [rep1, rep3, rep2, manager, rep1, rep3, rep2])
      await createDeal(api, { title: `by ${api.userId}`, stageId: stage('Prospecting') });
  });

  afterAll(() => h.stop());

  it('shows every caller the first deals they may see, in rank order, with a cursor for the rest', async () => {
    for (const api of [users.admin, users.manager, users.rep1, users.rep3]) {
      for (const perStage of [1, 2, 5]) await expectColumnAsListed(api, 'Prospecting', perStage);
    }
    // The rep sees their own two deals, the manager the east team's and their own, the admin all seven.
    expect((await listed(users.rep1, 'Prospecting')).length).toBe(2);
    expect((await listed(users.manager, 'Prospecting')).length).toBe(5);
    expect((await listed(users.admin, 'Prospecting')).length).toBe(7);
  });

  it('refuses a cursor it did not hand out, naming the field', async () => {
    const error = await failure(
      users.admin.deals.listDeals({
        filter: {
          pipelineId: pipeline.id,
          stageId: stage('Prospecting'),
          status: '',
          ownerId: '',
          teamId: '',
          contactId: '',
          companyId: '',
          includeDeleted: false,
        },
        page: { limit: 2, cursor: 'not-a-cursor' },
      }),
    );
    expect(error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [expect.objectContaining({ field: 'cursor' })],
    });
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
});
