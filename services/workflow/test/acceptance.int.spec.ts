// The acceptance scenarios, end to end on the real servers: the 3-day rule (clock unit seconds) across a
// restart, the VIP threshold, the web form, and rules as YAML.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { DealInput, MoveDealRequest } from '@crm/proto/crm/pipeline/v1/deal';
import { CompanyInput } from '@crm/proto/crm/contact/v1/company';
import { ActivityInput } from '@crm/proto/crm/contact/v1/activity';
import { RunFilter } from '@crm/proto/crm/workflow/v1/run';
import { TaskFilter } from '@crm/proto/crm/workflow/v1/task';
import { connectBus, drainBus, readStreamEvents, type Bus } from '@crm/service-kit';
import { eventually, infraEnv } from '@crm/testkit';
import { signFormBody } from '../src/domain/form';
import { triggerEventOf } from '../src/events/trigger-event';
import { contactInput, failure, WorkflowHarness, uniqueEmail, type Api } from './support/workflow-harness';

const rulesDir = join(__dirname, '..', 'rules');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('workflow acceptance on the real servers', () => {
  const harness = new WorkflowHarness();
  let admin: Api;
  let rep: Api;
  let rep2: Api;
  let bus: Bus;

  beforeAll(async () => {
    await harness.start();
    admin = await harness.as('acme-admin');
    rep = await harness.as('acme-rep1');
    rep2 = await harness.as('acme-rep2');
    bus = await connectBus({ url: infraEnv().natsUrl, name: 'workflow-test', namespace: harness.namespace });
  });

  afterAll(async () => {
    await drainBus(bus);
    await harness.stop();
  });

  const tasksOfRule = async (api: Api, ruleId: string) =>
    (
      await api.tasks.listTasks({
        filter: TaskFilter.fromPartial({ status: 'open' }),
        page: { limit: 200, cursor: '' },
      })
    ).tasks.filter((t) => t.ruleId === ruleId);

  it('3-day rule in seconds: one task for the silent contact, none for the one with an activity, across a restart', async () => {
    const yaml = readFileSync(join(rulesDir, 'three-day-follow-up.yaml'), 'utf8').replace(
      'unit: days\n      unless',
      'unit: seconds\n      unless',
    );
    expect(yaml).toContain('unit: seconds');
    const applied = await admin.rules.applyRules({ yaml, dryRun: false, prune: false });
    const ruleId = applied.changes[0]?.ruleId as string;
    const email = (l: string) => [{ address: uniqueEmail(l), primary: true, label: '' }];
    const { contact: silent } = await rep.contacts.createContact({
      contact: contactInput({ firstName: 'Silent', emails: email('s') }),
      allowDuplicates: false,
    });
    const { contact: busy } = await rep.contacts.createContact({
      contact: contactInput({ firstName: 'Busy', emails: email('b') }),
      allowDuplicates: false,
    });
    const timers = () => harness.workflow.app.deps.timers.pending({ idPrefix: `rel:${ruleId}:` });
    await eventually(async () => ((await timers()).length === 2 ? true : undefined), 10_000);
    await rep.activities.logActivity({
      activity: ActivityInput.fromPartial({
        type: 'note',
        contactId: busy!.id,
        subject: 'Called',
        body: 'Talked about pricing',
      }),
    });
    await eventually(async () => ((await timers()).length === 1 ? true : undefined), 10_000);
    expect((await timers())[0]?.id).toBe(`rel:${ruleId}:${silent!.id}`);
    await harness.stopWorkflow();
    await sleep(3_500);
    await harness.startWorkflow();
    const tasks = await eventually(async () => {
      const found = await tasksOfRule(rep, ruleId);
      return found.length > 0 ? found : undefined;
    }, 20_000);
    await sleep(1_500);
    const final = await tasksOfRule(rep, ruleId);
    expect(final.map((t) => [t.contactId, t.ownerId])).toEqual([[silent!.id, rep.userId]]);
    expect(tasks[0]?.title).toBe('Follow up with Silent');
  });

  it('VIP: a crossing sets the tier once, a second crossing after a drop sets it again, redelivery changes nothing', async () => {
    const applied = await admin.rules.applyRules({
      yaml: readFileSync(join(rulesDir, 'vip-upgrade.yaml'), 'utf8'),
      dryRun: false,
      prune: false,
    });
    const ruleId = applied.changes[0]?.ruleId as string;
    const { company } = await admin.companies.createCompany({
      company: CompanyInput.fromPartial({ name: `Big Co ${Date.now()}` }),
    });
    const contactIds: string[] = [];
    for (const name of ['Ann', 'Bob']) {
      const { contact } = await admin.contacts.createContact({
        contact: contactInput({
          firstName: name,
          companyId: company!.id,
          emails: [{ address: uniqueEmail(name), primary: true, label: '' }],
        }),
        allowDuplicates: false,
      });
      contactIds.push(contact!.id);
    }
    const { pipelines } = await admin.pipelines.listPipelines({});
    const stages = pipelines[0]!.stages;
    const won = stages.find((s) => s.kind === 'won')!.id;
    const open = stages.find((s) => s.kind === 'open')!.id;
    const deal = async (amount: number) =>
      (
        await admin.deals.createDeal({
          deal: DealInput.fromPartial({
            title: 'D',
            amount: { amountMinor: amount, currency: 'USD' },
            companyId: company!.id,
          }),
        })
      ).deal!;
    const d1 = await deal(3_000_000);
    const d2 = await deal(3_000_000);
    const move = async (id: string, stageId: string) => {
      const { deal: current } = await admin.deals.getDeal({ id, includeDeleted: false });
      await admin.deals.moveDeal(MoveDealRequest.fromPartial({ id, expectedVersion: current!.version, stageId }));
    };
    const runs = async () =>
      (await admin.runs.listRuns({ filter: RunFilter.fromPartial({ ruleId }), page: undefined })).runs;
    const tiers = async () =>
      Promise.all(
        contactIds.map(async (id) => (await admin.contacts.getContact({ id, includeDeleted: false })).contact!.tier),
      );
    await move(d1.id, won);
    await sleep(1_500);
    expect(await runs()).toHaveLength(0);
    await move(d2.id, won);
    await eventually(async () => ((await runs()).some((r) => r.status === 'succeeded') ? true : undefined), 20_000);
    expect(await tiers()).toEqual(['vip', 'vip']);
    const versions = async () =>
      Promise.all(
        contactIds.map(async (id) => (await admin.contacts.getContact({ id, includeDeleted: false })).contact!.version),
      );
    const afterFirst = await versions();
    // Redelivering the event that crossed changes nothing.
    const wonEvents = (await readStreamEvents(bus, 'PIPELINE', 'deal.stage_changed')).filter(
      (e: Envelope) => e.aggregateId === d2.id,
    );
    await harness.workflow.app.engine.handleEvent(triggerEventOf(wonEvents.at(-1)!));
    await sleep(1_000);
    expect(await runs()).toHaveLength(1);
    expect(await versions()).toEqual(afterFirst);
    // Back to standard by hand, the total drops (re-arm), and crosses again.
    for (const id of contactIds) {
      const { contact } = await admin.contacts.getContact({ id, includeDeleted: false });
      await admin.contacts.updateContact({
        id,
        expectedVersion: contact!.version,
        contact: contactInput({ tier: 'standard' }),
        updateMask: ['tier'],
        allowDuplicates: false,
      });
    }
    await move(d2.id, open);
    await sleep(1_500);
    expect(await runs()).toHaveLength(1);
    await move(d2.id, won);
    await eventually(
      async () => ((await runs()).filter((r) => r.status === 'succeeded').length === 2 ? true : undefined),
      20_000,
    );
    expect(await tiers()).toEqual(['vip', 'vip']);
  });

  it('web form: the same email twice makes one contact, two activities, a round-robin owner and one task', async () => {
    await admin.teams.setAssignmentTeam({
      teamId: 'acme-east',
      expectedVersion: 0,
      memberIds: [rep.userId, rep2.userId],
    });
    const { form } = await admin.forms.createForm({
      form: {
        name: 'Contact us',
        fields: [
          { name: 'email', label: 'Email', mapsTo: 'email', required: true },
          { name: 'name', label: 'Name', mapsTo: 'first_name', required: false },
          { name: 'message', label: 'Message', mapsTo: '', required: false },
        ],
        consentText: 'You may contact me about my request.',
        allowedOrigins: ['https://www.acme.test'],
        honeypotField: 'website_url',
        assignment: { strategy: 'round_robin', teamId: 'acme-east', ownerId: '' },
        followUpTitle: 'Call {{name}} back',
        followUpDueMinutes: 60,
        enabled: true,
        hmacEnabled: false,
      },
    });
    const gateway = await harness.as('gateway');
    const email = uniqueEmail('lead');
    const submit = (fields: Record<string, unknown>) =>
      gateway.forms.submitForm({
        formId: form!.id,
        fields,
        origin: 'https://www.acme.test',
        clientIp: '127.0.0.1',
        userAgent: 'test',
        signature: '',
        rawBody: Buffer.alloc(0),
      });
    const first = await submit({ email, name: 'Lea', message: 'Hello' });
    expect(first.runId).not.toBe('');
    const bot = await submit({ email: uniqueEmail('bot'), website_url: 'http://spam' });
    expect(bot.runId).toBe('');
    const runDone = (id: string) =>
      eventually(async () => {
        const { run } = await admin.runs.getRun({ id });
        return run?.status === 'succeeded' ? run : undefined;
      }, 20_000);
    const firstRun = await runDone(first.runId);
    const second = await submit({ email, name: 'Lea', message: 'Again' });
    await runDone(second.runId);
    const contactId = JSON.parse(JSON.stringify(firstRun.steps[0]?.output)).contactId as string;
    const { contact } = await admin.contacts.getContact({ id: contactId, includeDeleted: false });
    expect(contact!.ownerId).toBe(rep.userId);
    const { run: secondRun } = await admin.runs.getRun({ id: second.runId });
    expect((secondRun!.steps[0]?.output as { contactId: string }).contactId).toBe(contactId);
    const { activities } = await admin.activities.listContactTimeline({
      contactId,
      page: { limit: 50, cursor: '' },
      types: [],
    });
    expect(activities).toHaveLength(2);
    const tasks = await tasksOfRule(admin, form!.id);
    expect(tasks.map((t) => [t.contactId, t.ownerId, t.title])).toEqual([[contactId, rep.userId, 'Call Lea back']]);
    const third = await submit({ email: uniqueEmail('other'), name: 'Max' });
    const thirdRun = await runDone(third.runId);
    expect((thirdRun.steps[0]?.output as { ownerId: string }).ownerId).toBe(rep2.userId);
    // Two posts of a new email at once: their runs race, and still one contact with one open follow-up.
    const racing = uniqueEmail('race');
    const both = await Promise.all([submit({ email: racing, name: 'Ria' }), submit({ email: racing, name: 'Ria' })]);
    const raced = await Promise.all(both.map((b) => runDone(b.runId)));
    const racedContacts = raced.map((r) => (r.steps[0]?.output as { contactId: string }).contactId);
    expect(new Set(racedContacts).size).toBe(1);
    const racedTasks = (await tasksOfRule(admin, form!.id)).filter((t) => t.contactId === racedContacts[0]);
    expect(racedTasks).toHaveLength(1);
  });

  it('web form: a server-side post without an origin needs a fresh HMAC of its exact body', async () => {
    const { form, hmacSecret } = await admin.forms.createForm({
      form: {
        name: 'Server side',
        fields: [{ name: 'email', label: 'Email', mapsTo: 'email', required: true }],
        consentText: '',
        allowedOrigins: [],
        honeypotField: '',
        assignment: { strategy: 'fixed', teamId: '', ownerId: rep.userId },
        followUpTitle: 'Call back',
        followUpDueMinutes: 60,
        enabled: true,
        hmacEnabled: true,
      },
    });
    expect(hmacSecret).not.toBe('');
    const gateway = await harness.as('gateway');
    const body = Buffer.from(JSON.stringify({ email: uniqueEmail('server') }));
    const post = (signature: string, rawBody = body) =>
      gateway.forms.submitForm({
        formId: form!.id,
        fields: JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>,
        origin: '',
        clientIp: '127.0.0.1',
        userAgent: 'server',
        signature,
        rawBody,
      });
    const now = new Date();
    for (const signature of [
      '',
      signFormBody('another secret', body, now),
      signFormBody(hmacSecret, body, new Date(now.getTime() - 3_600_000)),
    ]) {
      const refused = await failure(post(signature));
      expect([refused.code, refused.reason]).toEqual(['PERMISSION_DENIED', 'BAD_SIGNATURE']);
    }
    const tampered = Buffer.from(JSON.stringify({ email: uniqueEmail('other') }));
    expect((await failure(post(signFormBody(hmacSecret, body, now), tampered))).reason).toBe('BAD_SIGNATURE');
    const { runId } = await post(signFormBody(hmacSecret, body, now));
    const run = await eventually(async () => {
      const { run: current } = await admin.runs.getRun({ id: runId });
      return current?.status === 'succeeded' ? current : undefined;
    }, 20_000);
    expect(run.triggerType).toBe('form');
  });

  it('YAML: export -> apply -> export is a fixed point, and a dry run changes nothing', async () => {
    const exported = (await admin.rules.exportRules({ keys: [] })).yaml;
    expect(exported).toContain('key: three-day-follow-up');
    const applied = await admin.rules.applyRules({ yaml: exported, dryRun: false, prune: false });
    expect(applied.changes.every((c) => c.action === 'unchanged')).toBe(true);
    expect((await admin.rules.exportRules({ keys: [] })).yaml).toBe(exported);
    const changed = exported.replace('priority: high', 'priority: urgent');
    const before = await admin.runs.listRuns({ filter: RunFilter.fromPartial({}), page: { limit: 200, cursor: '' } });
    const dry = await admin.rules.applyRules({ yaml: changed, dryRun: true, prune: false });
    const change = dry.changes.find((c) => c.key === 'three-day-follow-up')!;
    expect(change.action).toBe('update');
    expect(change.diff).toMatch(/^- .*priority: high$/m);
    expect(change.diff).toMatch(/^\+ .*priority: urgent$/m);
    expect(change.matches.length).toBeGreaterThan(0);
    expect((await admin.rules.exportRules({ keys: [] })).yaml).toBe(exported);
    const after = await admin.runs.listRuns({ filter: RunFilter.fromPartial({}), page: { limit: 200, cursor: '' } });
    expect(after.runs.map((r) => r.id)).toEqual(before.runs.map((r) => r.id));
  });
});
