import { randomUUID } from 'node:crypto';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { RuleInput } from '@crm/proto/crm/workflow/v1/rule';
import { RunFilter } from '@crm/proto/crm/workflow/v1/run';
import { TaskFilter } from '@crm/proto/crm/workflow/v1/task';
import { connectBus, drainBus, readStreamEvents, subjectOf, type Bus } from '@crm/service-kit';
import { eventually, infraEnv } from '@crm/testkit';
import { contactInput, failure, uniqueEmail, WorkflowHarness, type Api } from './support/workflow-harness';

describe('workflow rules and runs on the real servers', () => {
  const harness = new WorkflowHarness();
  let admin: Api;
  let rep: Api;
  let bus: Bus;

  beforeAll(async () => {
    await harness.start();
    admin = await harness.as('acme-admin');
    rep = await harness.as('acme-rep1');
    bus = await connectBus({ url: infraEnv().natsUrl, name: 'workflow-rules-test', namespace: harness.namespace });
  });

  afterAll(async () => {
    await drainBus(bus);
    await harness.stop();
  });

  const rule = (overrides: Record<string, unknown> = {}) => ({
    key: `welcome-${Math.random().toString(36).slice(2, 8)}`,
    name: 'Welcome task',
    description: '',
    enabled: true,
    trigger: { type: 'event', event: 'contact.created' },
    conditions: { '==': [{ var: 'record.leadSource' }, 'event'] },
    actions: [
      { id: 'welcome', type: 'create_task', title: 'Welcome {{record.firstName}}', dueIn: { amount: 1, unit: 'days' } },
    ],
    ...overrides,
  });

  it('refuses bad rules with the field named', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ trigger: { type: 'event', event: 'contact.exploded' } }, 'trigger.event'],
      [{ trigger: { type: 'sometimes' } }, 'trigger.type'],
      [{ conditions: { '===>': [1, 2] } }, 'conditions'],
      [{ actions: [{ type: 'update_record', entity: 'contact', set: { shoeSize: 44 } }] }, 'actions[0].set.shoeSize'],
    ];
    for (const [overrides, field] of cases) {
      const error = await failure(admin.rules.createRule({ rule: RuleInput.fromPartial(rule(overrides)) }));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.violations.map((v) => v.field)).toContain(field);
    }
    const denied = await failure(rep.rules.createRule({ rule: RuleInput.fromPartial(rule()) }));
    expect(denied.code).toBe('PERMISSION_DENIED');
  });

  it('runs an event rule once per matching event and accounts for every step', async () => {
    const { rule: saved } = await admin.rules.createRule({ rule: RuleInput.fromPartial(rule()) });
    expect(saved?.version).toBe(1);
    const { contact } = await rep.contacts.createContact({
      contact: contactInput({
        firstName: 'Ada',
        lastName: 'L',
        leadSource: 'event',
        emails: [{ address: uniqueEmail('ada'), primary: true, label: '' }],
      }),
      allowDuplicates: false,
    });
    await rep.contacts.createContact({
      contact: contactInput({
        firstName: 'Other',
        leadSource: 'web',
        emails: [{ address: uniqueEmail('o'), primary: true, label: '' }],
      }),
      allowDuplicates: false,
    });
    const run = await eventually(async () => {
      const { runs } = await admin.runs.listRuns({
        filter: RunFilter.fromPartial({ ruleId: saved!.id }),
        page: undefined,
      });
      return runs.find((r) => r.status === 'succeeded');
    }, 20_000);
    expect(run.subjectId).toBe(contact!.id);
    const { run: detail } = await admin.runs.getRun({ id: run.id });
    expect(detail?.steps.map((s) => [s.id, s.status])).toEqual([['welcome', 'succeeded']]);
    const { tasks } = await rep.tasks.listTasks({
      filter: TaskFilter.fromPartial({ ownerId: 'me', status: 'open' }),
      page: undefined,
    });
    const mine = tasks.filter((t) => t.ruleId === saved!.id);
    expect(mine.map((t) => [t.title, t.contactId, t.ownerId])).toEqual([['Welcome Ada', contact!.id, rep.userId]]);
    const { runs } = await admin.runs.listRuns({
      filter: RunFilter.fromPartial({ ruleId: saved!.id }),
      page: undefined,
    });
    expect(runs).toHaveLength(1);
  });

  it('dead-letters a poison event without holding up the rules for the events after it', async () => {
    const { rule: saved } = await admin.rules.createRule({ rule: RuleInput.fromPartial(rule({ conditions: null })) });
    const poisonId = `poison-${randomUUID()}`;
    const poison = Envelope.encode(
      Envelope.fromPartial({
        id: randomUUID(),
        type: 'contact.created',
        tenantId: saved!.tenantId,
        aggregateId: poisonId,
        aggregateVersion: 1,
        occurredAt: new Date(),
        // A payload that does not decode as the message it claims to be: every delivery fails.
        payload: {
          typeUrl: 'type.googleapis.com/crm.contact.v1.ContactChanged',
          value: Buffer.from([0xff, 0xff, 0xff]),
        },
      }),
    ).finish();
    await bus.js.publish(subjectOf(bus, 'crm.contact.created'), poison);
    const { contact } = await rep.contacts.createContact({
      contact: contactInput({
        firstName: 'After',
        emails: [{ address: uniqueEmail('after'), primary: true, label: '' }],
      }),
      allowDuplicates: false,
    });
    const runsOfRule = async () =>
      (await admin.runs.listRuns({ filter: RunFilter.fromPartial({ ruleId: saved!.id }), page: undefined })).runs;
    await eventually(
      async () => (await runsOfRule()).find((r) => r.subjectId === contact!.id && r.status === 'succeeded'),
      20_000,
    );
    const dead = await eventually(async () => {
      const letters = await readStreamEvents(bus, 'DEADLETTER').catch(() => []);
      return letters.find((e) => e.aggregateId === poisonId);
    }, 30_000);
    expect(dead.type).toBe('contact.created');
    expect((await runsOfRule()).filter((r) => r.subjectId === poisonId)).toEqual([]);
  });
});
