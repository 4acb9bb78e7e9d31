import { DealChanged } from '@crm/proto/crm/pipeline/v1/events';
import { clientToken, eventually } from '@crm/testkit';
import { DealServiceClient } from '@crm/proto/crm/pipeline/v1/deal';
import { credentials, Metadata } from '@grpc/grpc-js';
import {
  createContact,
  createDeal,
  dealInput,
  failure,
  PipelineHarness,
  usd,
  type Api,
} from './support/pipeline-harness';

describe('deals on the real servers', () => {
  const h = new PipelineHarness();
  let rep1: Api;
  let rep2: Api;
  let rep3: Api;
  let manager: Api;
  let admin: Api;
  let globex: Api;
  let stages: Record<string, string>;

  beforeAll(async () => {
    await h.start();
    [rep1, rep2, rep3, manager, admin, globex] = await Promise.all([
      h.as('acme-rep1'),
      h.as('acme-rep2'),
      h.as('acme-rep3'),
      h.as('acme-manager'),
      h.as('acme-admin'),
      h.as('globex-admin'),
    ]);
    const { pipeline } = await rep1.pipelines.getPipeline({ id: '' });
    stages = Object.fromEntries((pipeline?.stages ?? []).map((s) => [s.name, s.id]));
  });

  afterAll(() => h.stop());

  it("creates a deal in the default pipeline's first stage, owned by the rep in their team, and emits deal.created", async () => {
    const deal = await createDeal(rep1, {
      title: ' Big deal ',
      amount: usd(125_000),
      expectedCloseDate: '2031-03-31',
      nextStep: 'Call back',
    });
    expect(deal).toMatchObject({
      title: 'Big deal',
      amount: usd(125_000),
      stageId: stages.Prospecting,
      status: 'open',
      probability: 10,
      forecastCategory: 'pipeline',
      ownerId: rep1.userId,
      teamId: 'acme-east',
      version: 1,
    });
    expect(deal.stageHistory).toEqual([
      expect.objectContaining({ stageId: stages.Prospecting, by: rep1.userId, leftAt: undefined }),
    ]);
    const created = await eventually(async () =>
      (await h.events('deal.created')).find((e) => e.aggregateId === deal.id),
    );
    const payload = DealChanged.decode(created.payload?.value ?? new Uint8Array());
    expect(payload.deal).toMatchObject({
      amount: usd(125_000),
      ownerId: rep1.userId,
      teamId: 'acme-east',
      stageId: stages.Prospecting,
      probability: 10,
      status: 'open',
      version: 1,
    });
    expect(created).toMatchObject({ tenantId: 'acme', aggregateVersion: 1, ownerId: rep1.userId, teamId: 'acme-east' });
  });

  it('rejects invalid input with a violation per field', async () => {
    const error = await failure(
      rep1.deals.createDeal({
        deal: dealInput({ title: ' ', amount: { amountMinor: -5, currency: 'XXY' }, expectedCloseDate: '2031-02-30' }),
      }),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.violations.map((v) => v.field).sort()).toEqual([
      'amount.amountMinor',
      'amount.currency',
      'expectedCloseDate',
      'title',
    ]);
    expect(error.message).toContain('expectedCloseDate must be a calendar date');
    const owner = await failure(rep1.deals.createDeal({ deal: dealInput({ ownerId: rep2.userId }) }));
    expect(owner.violations.map((v) => v.field)).toEqual(['ownerId']);
  });

  it('answers a field violation on contactId for a contact the rep cannot see, and on companyId likewise', async () => {
    const theirs = await createContact(rep3, 'Wendy', 'West');
    const error = await failure(rep1.deals.createDeal({ deal: dealInput({ contactId: theirs.id }) }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.violations).toEqual([{ field: 'contactId', description: 'is not a contact you can see' }]);
    const unknown = await failure(
      rep1.deals.createDeal({
        deal: dealInput({ contactId: '0190aaaa-0000-7000-8000-000000000000', companyId: 'no-such-company' }),
      }),
    );
    expect(unknown.violations.map((v) => v.field)).toEqual(['contactId', 'companyId']);
  });

  it("holds a summary of a visible contact and company, checked with the caller's token", async () => {
    const { company } = await rep1.companies.createCompany({
      company: {
        name: 'Initech',
        domain: 'initech.example',
        website: '',
        industry: '',
        size: '',
        annualRevenue: undefined,
        address: undefined,
        parentCompanyId: '',
        ownerId: '',
        teamId: '',
        customFields: undefined,
        externalId: '',
      },
    });
    const contact = await createContact(rep1, 'Peter', 'Gibbons');
    const deal = await createDeal(rep1, { contactId: contact.id, companyId: company?.id ?? '' });
    expect(deal.contact).toMatchObject({ id: contact.id, displayName: 'Peter Gibbons', erased: false });
    expect(deal.company).toEqual({ id: company?.id, name: 'Initech', domain: 'initech.example' });
  });

  it('scopes reads: reps see their own, managers their team, admins the tenant, other tenants nothing', async () => {
    const east = await createDeal(rep2, { title: 'East deal' });
    const west = await createDeal(rep3, { title: 'West deal' });
    expect((await manager.deals.getDeal({ id: east.id, includeDeleted: false })).deal?.id).toBe(east.id);
    expect((await failure(manager.deals.getDeal({ id: west.id, includeDeleted: false }))).code).toBe('NOT_FOUND');
    expect((await failure(rep1.deals.getDeal({ id: east.id, includeDeleted: false }))).code).toBe('NOT_FOUND');
    expect((await admin.deals.getDeal({ id: west.id, includeDeleted: false })).deal?.id).toBe(west.id);
    expect((await failure(globex.deals.getDeal({ id: west.id, includeDeleted: false }))).code).toBe('NOT_FOUND');
    const { deals } = await rep3.deals.listDeals({ filter: undefined, page: undefined });
    expect(deals.every((d) => d.ownerId === rep3.userId)).toBe(true);
    expect(deals.map((d) => d.id)).toContain(west.id);
  });

  it('updates the fields in the mask at the expected version only', async () => {
    const deal = await createDeal(rep1, { title: 'Before', amount: usd(1_000) });
    const { deal: updated } = await rep1.deals.updateDeal({
      id: deal.id,
      expectedVersion: 1,
      deal: dealInput({ title: 'After', amount: { amountMinor: 2_000, currency: 'EUR' }, nextStep: 'ignored' }),
      updateMask: ['title', 'amount'],
    });
    expect(updated).toMatchObject({
      title: 'After',
      amount: { amountMinor: 2_000, currency: 'EUR' },
      nextStep: '',
      version: 2,
    });
    expect(
      await failure(
        rep1.deals.updateDeal({
          id: deal.id,
          expectedVersion: 1,
          deal: dealInput({ title: 'Stale' }),
          updateMask: ['title'],
        }),
      ),
    ).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'VERSION_MISMATCH' });
    const stage = await failure(
      rep1.deals.updateDeal({
        id: deal.id,
        expectedVersion: 2,
        deal: dealInput({ stageId: stages.Won }),
        updateMask: ['stage_id'],
      }),
    );
    expect(stage.violations.map((v) => v.field)).toEqual(['updateMask.stage_id']);
    const event = await eventually(async () => (await h.events('deal.updated')).find((e) => e.aggregateId === deal.id));
    const payload = DealChanged.decode(event.payload?.value ?? new Uint8Array());
    expect(payload.changedFields.sort()).toEqual(['amount', 'title']);
    expect(payload.previous?.amount).toEqual(usd(1_000));
    expect(payload.deal?.amount).toEqual({ amountMinor: 2_000, currency: 'EUR' });
  });

  it('lets exactly one of two moves with the same expected version win; the other gets FAILED_PRECONDITION', async () => {
    for (let round = 0; round < 3; round++) {
      const deal = await createDeal(rep1, { title: `Contested ${round}` });
      const attempts = await Promise.allSettled([
        rep1.deals.moveDeal({
          id: deal.id,
          expectedVersion: 1,
          stageId: stages.Qualification as string,
          afterDealId: '',
          beforeDealId: '',
          lostReason: '',
        }),
        rep1.deals.moveDeal({
          id: deal.id,
          expectedVersion: 1,
          stageId: stages.Proposal as string,
          afterDealId: '',
          beforeDealId: '',
          lostReason: '',
        }),
      ]);
      const won = attempts.filter((a): a is PromiseFulfilledResult<{ deal: typeof deal }> => a.status === 'fulfilled');
      const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(await failure(Promise.reject(lost[0]?.reason))).toMatchObject({
        code: 'FAILED_PRECONDITION',
        reason: 'VERSION_MISMATCH',
      });
      const { deal: stored } = await rep1.deals.getDeal({ id: deal.id, includeDeleted: false });
      expect(stored).toMatchObject({ version: 2, stageId: won[0]?.value.deal.stageId });
      expect(stored?.stageHistory).toHaveLength(2);
    }
  });

  it('records each move in the stage history, closes on won or lost, and reopens', async () => {
    const deal = await createDeal(rep1, { title: 'Journey', amount: usd(5_000) });
    const move = (version: number, stageId: string, lostReason = '') =>
      rep1.deals
        .moveDeal({ id: deal.id, expectedVersion: version, stageId, afterDealId: '', beforeDealId: '', lostReason })
        .then((r) => r.deal);
    await move(1, stages.Negotiation as string);
    const noReason = await failure(move(2, stages.Lost as string));
    expect(noReason.violations.map((v) => v.field)).toEqual(['lostReason']);
    const lost = await move(2, stages.Lost as string, 'Budget cut');
    expect(lost).toMatchObject({ status: 'lost', lostReason: 'Budget cut', version: 3 });
    expect(lost?.closedAt).toBeInstanceOf(Date);
    const { deal: reopened } = await rep1.deals.reopenDeal({ id: deal.id, expectedVersion: 3, stageId: '' });
    expect(reopened).toMatchObject({
      status: 'open',
      stageId: stages.Negotiation,
      lostReason: '',
      closedAt: undefined,
      version: 4,
    });
    const won = await move(4, stages.Won as string);
    expect(won).toMatchObject({ status: 'won', probability: 100, forecastCategory: 'closed' });
    expect(won?.stageHistory.map((v) => v.stageId)).toEqual([
      stages.Prospecting,
      stages.Negotiation,
      stages.Lost,
      stages.Negotiation,
      stages.Won,
    ]);
    expect(won?.stageHistory.slice(0, -1).every((v) => v.leftAt instanceof Date)).toBe(true);
    expect(
      await failure(rep1.deals.reopenDeal({ id: deal.id, expectedVersion: 5, stageId: stages.Lost as string })),
    ).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const types = async (t: string) =>
      (await h.events(t)).filter((e) => e.aggregateId === deal.id).map((e) => e.aggregateVersion);
    await eventually(async () => ((await types('deal.won')).length === 1 ? true : undefined));
    expect(await types('deal.stage_changed')).toEqual([2, 3, 4, 5]);
    expect(await types('deal.lost')).toEqual([3]);
    expect(await types('deal.reopened')).toEqual([4]);
    expect(await types('deal.won')).toEqual([5]);
  });

  it("keeps the order the user gives within a column, and a deal's rank across moves", async () => {
    const column = stages.Qualification as string;
    const a = await createDeal(rep2, { title: 'A', stageId: column });
    const b = await createDeal(rep2, { title: 'B', stageId: column });
    const c = await createDeal(rep2, { title: 'C', stageId: column });
    const order = async () =>
      (
        await rep2.deals.listDeals({
          filter: {
            pipelineId: '',
            stageId: column,
            status: '',
            ownerId: rep2.userId,
            teamId: '',
            contactId: '',
            companyId: '',
            includeDeleted: false,
          },
          page: undefined,
        })
      ).deals.map((d) => d.title);
    expect(await order()).toEqual(['A', 'B', 'C']);
    // Drag C between A and B, then A below C.
    await rep2.deals.moveDeal({
      id: c.id,
      expectedVersion: 1,
      stageId: '',
      afterDealId: a.id,
      beforeDealId: b.id,
      lostReason: '',
    });
    expect(await order()).toEqual(['A', 'C', 'B']);
    await rep2.deals.moveDeal({
      id: a.id,
      expectedVersion: 1,
      stageId: '',
      afterDealId: c.id,
      beforeDealId: b.id,
      lostReason: '',
    });
    expect(await order()).toEqual(['C', 'A', 'B']);
    // To the top of the column.
    const { deal: topB } = await rep2.deals.moveDeal({
      id: b.id,
      expectedVersion: 1,
      stageId: '',
      afterDealId: '',
      beforeDealId: c.id,
      lostReason: '',
    });
    expect(await order()).toEqual(['B', 'C', 'A']);
    // Out and back without a place: the rank goes along.
    const { deal: away } = await rep2.deals.moveDeal({
      id: b.id,
      expectedVersion: 2,
      stageId: stages.Proposal as string,
      afterDealId: '',
      beforeDealId: '',
      lostReason: '',
    });
    expect(away?.rank).toBe(topB?.rank);
    await rep2.deals.moveDeal({
      id: b.id,
      expectedVersion: 3,
      stageId: column,
      afterDealId: '',
      beforeDealId: '',
      lostReason: '',
    });
    expect(await order()).toEqual(['B', 'C', 'A']);
    const stale = await failure(
      rep2.deals.moveDeal({
        id: c.id,
        expectedVersion: 2,
        stageId: '',
        afterDealId: a.id,
        beforeDealId: b.id,
        lostReason: '',
      }),
    );
    expect(stale).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'RANK_CONFLICT' });
  });

  it('soft-deletes and restores a deal', async () => {
    const deal = await createDeal(rep1, { title: 'Short-lived' });
    const { deal: deleted } = await rep1.deals.deleteDeal({ id: deal.id, expectedVersion: 1 });
    expect(deleted?.deletedAt).toBeInstanceOf(Date);
    expect((await failure(rep1.deals.getDeal({ id: deal.id, includeDeleted: false }))).code).toBe('NOT_FOUND');
    const { deal: restored } = await rep1.deals.restoreDeal({ id: deal.id, expectedVersion: 2 });
    expect(restored).toMatchObject({ version: 3, deletedAt: undefined });
    expect((await h.events('deal.deleted')).map((e) => e.aggregateId)).toContain(deal.id);
  });

  it('lets a manager give a deal to a rep of their team but not to another team', async () => {
    const deal = await createDeal(manager, { title: 'Delegated', ownerId: rep2.userId });
    expect(deal).toMatchObject({ ownerId: rep2.userId, teamId: 'acme-east' });
    expect((await rep2.deals.getDeal({ id: deal.id, includeDeleted: false })).deal?.id).toBe(deal.id);
    const elsewhere = await failure(
      manager.deals.createDeal({ deal: dealInput({ ownerId: rep3.userId, teamId: 'acme-west' }) }),
    );
    expect(elsewhere.violations.map((v) => v.field)).toContain('teamId');
  });

  it('lets a partner with deals scopes see the whole tenant and create deals as itself', async () => {
    const west = await createDeal(rep3, { title: 'Visible to partners' });
    const token = await clientToken('acme-partner');
    const client = new DealServiceClient(`127.0.0.1:${h.pipeline.grpcPort}`, credentials.createInsecure());
    const call = <T>(method: 'getDeal' | 'createDeal', request: object) =>
      new Promise<T>((resolve, reject) => {
        const metadata = new Metadata();
        metadata.set('authorization', `Bearer ${token}`);
        (client[method] as unknown as (r: object, m: Metadata, cb: (e: Error | null, r: T) => void) => void).call(
          client,
          request,
          metadata,
          (e, r) => (e ? reject(e) : resolve(r)),
        );
      });
    try {
      expect((await call<{ deal: { id: string } }>('getDeal', { id: west.id, includeDeleted: false })).deal.id).toBe(
        west.id,
      );
      const created = await call<{ deal: { ownerId: string; teamId: string } }>('createDeal', {
        deal: dealInput({ title: 'From the partner' }),
      });
      expect(created.deal.teamId).toBe('');
      expect(created.deal.ownerId).not.toBe('');
    } finally {
      client.close();
    }
  });

  it('refuses a list filter on a status that does not exist', async () => {
    const error = await failure(
      rep1.deals.listDeals({
        filter: {
          pipelineId: '',
          stageId: '',
          status: 'pending',
          ownerId: '',
          teamId: '',
          contactId: '',
          companyId: '',
          includeDeleted: false,
        },
        page: undefined,
      }),
    );
    expect(error.violations.map((v) => v.field)).toEqual(['filter.status']);
  });
});
