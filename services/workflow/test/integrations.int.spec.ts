// The workflow service with its peers on the real servers: "changed from" on contacts (whose events carry no
// earlier state), a threshold rule counting the deals that existed before it was saved, and actions on tickets
// through the ticket service's API (field update, tag, internal note once per action, assignment).
import { CompanyInput } from '@crm/proto/crm/contact/v1/company';
import { DealInput, MoveDealRequest } from '@crm/proto/crm/pipeline/v1/deal';
import { TicketInput } from '@crm/proto/crm/ticket/v1/ticket';
import { RuleInput } from '@crm/proto/crm/workflow/v1/rule';
import { RunFilter } from '@crm/proto/crm/workflow/v1/run';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { eventually } from '@crm/testkit';
import { relativeTimerId } from '../src/app/rule-engine';
import { addBusinessDays } from '../src/domain/business-calendar';
import { RecordGateway } from '../src/app/record-gateway';
import { contactInput, failure, uniqueEmail, WorkflowHarness, type Api } from './support/workflow-harness';

describe('workflow integrations on the real servers', () => {
  const harness = new WorkflowHarness();
  let admin: Api;

  beforeAll(async () => {
    await harness.start({}, { ticket: true });
    admin = await harness.as('acme-admin');
  }, 120_000);

  afterAll(() => harness.stop());

  const createRule = async (input: Partial<RuleInput>) =>
    (
      await admin.rules.createRule({
        rule: RuleInput.fromPartial({ enabled: true, description: '', conditions: null, ...input }),
      })
    ).rule!;
  const runsOf = async (ruleId: string) =>
    (await admin.runs.listRuns({ filter: RunFilter.fromPartial({ ruleId }), page: { limit: 200, cursor: '' } })).runs;
  const settled = async (ruleId: string, count: number) =>
    eventually(async () => {
      const runs = await runsOf(ruleId);
      return runs.length === count && runs.every((r) => r.status === 'succeeded') ? runs : undefined;
    }, 20_000);

  it("counts business days with the ticket service's calendar a rule names, else the tenant default", async () => {
    // Mon-Thu in Tokyo with tomorrow (Tokyo) off: a calendar unlike the default (Mon-Fri, UTC).
    const tomorrow = DateTime.now().setZone('Asia/Tokyo').plus({ days: 1 }).toISODate()!;
    const { calendar } = await admin.sla.createBusinessCalendar({
      calendar: {
        name: `Tokyo ${Date.now()}`,
        timeZone: 'Asia/Tokyo',
        hours: [1, 2, 3, 4].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })),
        holidays: [{ name: 'Off', date: tomorrow, yearly: false }],
      },
    });
    const relative = (key: string, extra: Record<string, unknown>) =>
      createRule({
        key: `${key}-${Date.now()}`,
        name: key,
        trigger: { type: 'relative', after: 'contact.created', delay: 2, unit: 'business_days', ...extra },
        actions: [{ id: 'task', type: 'create_task', title: 'Follow up' }],
      });
    const withCalendar = await relative('tokyo', { calendar: calendar!.id });
    const withDefault = await relative('default', {});
    const { contact } = await admin.contacts.createContact({
      contact: contactInput({ firstName: 'Kei', emails: [{ address: uniqueEmail('kei'), primary: true, label: '' }] }),
      allowDuplicates: false,
    });
    const dueOf = (ruleId: string) =>
      eventually(async () => {
        const [timer] = await harness.workflow.app.deps.timers.pending({
          idPrefix: relativeTimerId(ruleId, contact!.id),
        });
        return timer?.dueAt;
      }, 20_000);
    const created = contact!.createdAt!;
    const tokyo = { timezone: 'Asia/Tokyo', workdays: [1, 2, 3, 4], holidays: [tomorrow] };
    const utc = { timezone: 'UTC', workdays: [1, 2, 3, 4, 5], holidays: [] };
    // The start is the event's time, a moment after the record's.
    const near = (actual: Date, expected: Date) =>
      expect(Math.abs(actual.getTime() - expected.getTime())).toBeLessThan(5_000);
    const dueTokyo = await dueOf(withCalendar.id);
    near(dueTokyo, addBusinessDays(created, 2, tokyo));
    near(await dueOf(withDefault.id), addBusinessDays(created, 2, utc));
    const local = DateTime.fromJSDate(dueTokyo, { zone: 'Asia/Tokyo' });
    expect(local.weekday).toBeLessThanOrEqual(4);
    expect(local.toISODate()).not.toBe(tomorrow);
    expect(local.toISODate()! > tomorrow).toBe(true);
  });

  it('"changed from" on contacts: fires only for the named transition, again after going back', async () => {
    const rule = await createRule({
      key: `lifecycle-${Date.now()}`,
      name: 'Lead became customer',
      trigger: {
        type: 'event',
        event: 'contact.updated',
        changed: [{ field: 'lifecycleStage', from: 'lead', to: 'customer' }],
      },
      actions: [{ id: 'tag', type: 'add_tag', entity: 'contact', tag: 'converted' }],
    });
    const { contact } = await admin.contacts.createContact({
      contact: contactInput({
        firstName: 'Lee',
        lifecycleStage: 'lead',
        emails: [{ address: uniqueEmail('lee'), primary: true, label: '' }],
      }),
      allowDuplicates: false,
    });
    const set = async (fields: Record<string, string>) => {
      const { contact: current } = await admin.contacts.getContact({ id: contact!.id, includeDeleted: false });
      await admin.contacts.updateContact({
        id: contact!.id,
        expectedVersion: current!.version,
        contact: contactInput(fields),
        updateMask: Object.keys(fields).map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)),
        allowDuplicates: true,
      });
    };
    await set({ title: 'CTO' });
    await set({ lifecycleStage: 'opportunity' });
    await set({ lifecycleStage: 'customer' });
    // The workflow service has seen every change so far (it keeps the state of the newest one).
    const seen = async () =>
      (
        await sql<{ version: number }>`select version from record_states where id = ${contact!.id}`.execute(
          harness.workflow.app.deps.db,
        )
      ).rows[0]?.version;
    await eventually(async () => ((await seen()) === 4 ? true : undefined));
    expect(await runsOf(rule.id)).toHaveLength(0);
    await set({ lifecycleStage: 'lead' });
    await set({ lifecycleStage: 'customer' });
    const runs = await settled(rule.id, 1);
    expect(runs[0]?.subjectId).toBe(contact!.id);
    const { contact: tagged } = await admin.contacts.getContact({ id: contact!.id, includeDeleted: false });
    expect(tagged!.tags).toContain('converted');
  });

  it('a threshold rule counts the deals won before it was saved: only crossings after it fire', async () => {
    const { pipelines } = await admin.pipelines.listPipelines({});
    const won = pipelines[0]!.stages.find((s) => s.kind === 'won')!.id;
    const company = async (name: string) =>
      (await admin.companies.createCompany({ company: CompanyInput.fromPartial({ name: `${name} ${Date.now()}` }) }))
        .company!.id;
    const winDeal = async (companyId: string, amountMinor: number) => {
      const { deal } = await admin.deals.createDeal({
        deal: DealInput.fromPartial({ title: 'D', amount: { amountMinor, currency: 'USD' }, companyId }),
      });
      await admin.deals.moveDeal(
        MoveDealRequest.fromPartial({ id: deal!.id, expectedVersion: deal!.version, stageId: won }),
      );
    };
    const above = await company('Already big');
    const near = await company('Nearly big');
    await winDeal(above, 6_000_000);
    await winDeal(near, 4_000_000);
    const rule = await createRule({
      key: `big-${Date.now()}`,
      name: 'Big customer',
      trigger: {
        type: 'threshold',
        source: 'deal',
        groupBy: 'companyId',
        measure: 'amount.amountMinor',
        where: { '==': [{ var: 'status' }, 'won'] },
        above: 5_000_000,
      },
      actions: [{ id: 'tag', type: 'update_record', entity: 'company', set: { industry: 'enterprise' } }],
    });
    const timers = harness.workflow.app.deps.timers;
    await eventually(async () =>
      (await timers.pending({ idPrefix: `backfill:${rule.id}:` })).length ? undefined : true,
    );
    expect(await runsOf(rule.id)).toHaveLength(0);
    // 40 000 counted by the backfill plus 20 000 now: a crossing (20 000 alone would not be one).
    await winDeal(near, 2_000_000);
    const runs = await settled(rule.id, 1);
    expect(runs[0]?.subjectId).toBe(near);
    const { company: nearNow } = await admin.companies.getCompany({ id: near, includeDeleted: false });
    expect(nearNow!.industry).toBe('enterprise');
    // The company that was above before the rule does not fire on a further deal.
    await winDeal(above, 1_000_000);
    await winDeal(near, 1_000_000);
    await eventually(async () => ((await runsOf(rule.id)).length === 1 ? true : undefined));
    const { company: aboveNow } = await admin.companies.getCompany({ id: above, includeDeleted: false });
    expect(aboveNow!.industry).not.toBe('enterprise');
  });

  it('acts on tickets through the ticket service: fields, tags and one internal note per action', async () => {
    const rule = await createRule({
      key: `urgent-${Date.now()}`,
      name: 'Escalate outages',
      trigger: { type: 'event', event: 'ticket.created' },
      conditions: { in: ['outage', { var: 'record.subject' }] },
      actions: [
        { id: 'prio', type: 'update_record', entity: 'ticket', set: { priority: 'urgent' } },
        { id: 'tag', type: 'add_tag', entity: 'ticket', tag: 'escalated' },
        { id: 'note', type: 'add_note', body: 'Escalated by rule: {{record.subject}}' },
      ],
    });
    const bad = await failure(
      admin.rules.createRule({
        rule: RuleInput.fromPartial({
          key: `bad-note-${Date.now()}`,
          name: 'Bad',
          enabled: true,
          trigger: { type: 'event', event: 'contact.created' },
          actions: [{ id: 'note', type: 'add_note', body: 'x' }],
        }),
      }),
    );
    expect(bad.code).toBe('INVALID_ARGUMENT');
    expect(bad.violations.map((v) => v.field)).toContain('actions[0].target');

    const create = async (subject: string) =>
      (
        await admin.tickets.createTicket({
          ticket: TicketInput.fromPartial({ subject, requesterEmail: uniqueEmail('req'), priority: 'normal' }),
        })
      ).ticket!;
    const calm = await create('How do I export?');
    const outage = await create('Total outage in EU');
    const runs = await settled(rule.id, 1);
    expect(runs[0]?.subjectId).toBe(outage.id);
    const { ticket } = await admin.tickets.getTicket({ id: outage.id, includeDeleted: false });
    expect(ticket).toMatchObject({ priority: 'urgent', tags: expect.arrayContaining(['escalated']) });
    const notes = async () =>
      (await admin.tickets.listComments({ ticketId: outage.id, page: undefined })).comments.filter((c) =>
        c.body.startsWith('Escalated by rule: Total outage in EU'),
      );
    expect(await notes()).toHaveLength(1);
    expect((await notes())[0]?.public).toBe(false);
    // The action again (a redelivery, a retried step) finds the note it added: still one.
    const { run: detail } = await admin.runs.getRun({ id: runs[0]!.id });
    const note = detail!.steps.find((step) => step.id === 'note');
    expect(note?.output).toMatchObject({ added: true });
    const again = await new RecordGateway(harness.workflow.app.deps.clients).addTicketNote(
      'acme',
      outage.id,
      'Escalated by rule: Total outage in EU',
      false,
      note!.actionId,
    );
    expect(again).toEqual({ commentId: (note?.output as { commentId: string }).commentId, added: false });
    expect(await notes()).toHaveLength(1);
    const { ticket: untouched } = await admin.tickets.getTicket({ id: calm.id, includeDeleted: false });
    expect(untouched!.priority).toBe('normal');
  });
});
