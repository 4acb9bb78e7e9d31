import { RuleInput } from '@crm/proto/crm/workflow/v1/rule';
import { RunFilter } from '@crm/proto/crm/workflow/v1/run';
import { TaskFilter } from '@crm/proto/crm/workflow/v1/task';
import { eventually } from '@crm/testkit';
import { contactInput, failure, uniqueEmail, WorkflowHarness, type Api } from './support/workflow-harness';

describe('workflow rules and runs on the real servers', () => {
  const harness = new WorkflowHarness();
  let admin: Api;
  let rep: Api;

  beforeAll(async () => {
    await harness.start();
    admin = await harness.as('acme-admin');
    rep = await harness.as('acme-rep1');
  });

  afterAll(() => harness.stop());

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
});
