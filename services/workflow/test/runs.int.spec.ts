// Every run accounted for, on the real servers: a step whose owning service is down retries with backoff, the
// run that exhausts its attempts is failed and visible, and a retry from the failed step finishes it without
// redoing the steps before; an assignment skips members who are away; a run accepted by a process that died
// before working it is resumed by its timer after a restart; a schedule trigger fires per occurrence.
import { sql } from 'kysely';
import { RuleInput } from '@crm/proto/crm/workflow/v1/rule';
import { RunFilter } from '@crm/proto/crm/workflow/v1/run';
import { TaskFilter } from '@crm/proto/crm/workflow/v1/task';
import { connectBus, drainBus, readStreamEvents, type Bus } from '@crm/service-kit';
import { eventually, infraEnv } from '@crm/testkit';
import { scheduleTimerId } from '../src/app/rule-engine';
import { runTimerId } from '../src/app/run-executor';
import { triggerEventOf } from '../src/events/trigger-event';
import { contactInput, uniqueEmail, WorkflowHarness, type Api } from './support/workflow-harness';

describe('workflow runs on the real servers', () => {
  const harness = new WorkflowHarness();
  let admin: Api;
  let rep: Api;
  let rep2: Api;
  let bus: Bus;

  beforeAll(async () => {
    await harness.start({ STEP_MAX_ATTEMPTS: '3', STEP_RETRY_BASE_MS: '100', RUN_LEASE_MS: '1000' });
    admin = await harness.as('acme-admin');
    rep = await harness.as('acme-rep1');
    rep2 = await harness.as('acme-rep2');
    bus = await connectBus({ url: infraEnv().natsUrl, name: 'workflow-runs-test', namespace: harness.namespace });
  });

  afterAll(async () => {
    await drainBus(bus);
    await harness.stop();
  });

  const unique = () => Math.random().toString(36).slice(2, 8);
  const manualRule = async (actions: unknown[]) =>
    (
      await admin.rules.createRule({
        rule: RuleInput.fromPartial({
          key: `runs-${unique()}`,
          name: 'Runs',
          enabled: true,
          trigger: { type: 'manual' },
          actions: actions as never,
        }),
      })
    ).rule!;
  const newContact = async (firstName: string) =>
    (
      await admin.contacts.createContact({
        contact: contactInput({ firstName, emails: [{ address: uniqueEmail(firstName), primary: true, label: '' }] }),
        allowDuplicates: false,
      })
    ).contact!;
  const runWith = (id: string, status: string) =>
    eventually(async () => {
      const { run } = await admin.runs.getRun({ id });
      return run?.status === status ? run : undefined;
    }, 20_000);
  const tasksOfRule = async (ruleId: string) =>
    (
      await admin.tasks.listTasks({ filter: TaskFilter.fromPartial({}), page: { limit: 200, cursor: '' } })
    ).tasks.filter((t) => t.ruleId === ruleId);

  it('retries a step with backoff while its service is down, fails the run visibly, and retries it from the failed step', async () => {
    const rule = await manualRule([
      { id: 'prepare', type: 'create_task', title: 'Prepare {{payload.name}}', owner: rep.userId },
      {
        id: 'upgrade',
        type: 'update_record',
        entity: 'contact',
        target: '{{payload.contactId}}',
        set: { tier: 'vip' },
      },
    ]);
    const contact = await newContact('Vera');
    await harness.stopContact();
    let restarted = false;
    try {
      const { runId } = await admin.rules.triggerRule({
        id: rule.id,
        payload: { contactId: contact.id, name: 'Vera' },
        requestId: `r-${unique()}`,
      });
      const failed = await runWith(runId, 'failed');
      expect(failed.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
        ['prepare', 'succeeded', 1],
        ['upgrade', 'failed', 3],
      ]);
      expect(failed.steps[1]?.error).not.toBe('');
      expect(failed.error).toMatch(/^step upgrade: /);
      const { runs } = await admin.runs.listRuns({
        filter: RunFilter.fromPartial({ ruleId: rule.id, status: 'failed' }),
        page: undefined,
      });
      expect(runs.map((r) => r.id)).toEqual([runId]);
      const events = await readStreamEvents(bus, 'WORKFLOW', 'workflow.run_failed');
      expect(events.some((e) => e.aggregateId === runId)).toBe(true);

      await harness.startContact();
      restarted = true;
      await admin.runs.retryRun({ id: runId, expectedVersion: failed.version, fromStepId: '' });
      const done = await runWith(runId, 'succeeded');
      expect(done.steps.map((s) => [s.id, s.status])).toEqual([
        ['prepare', 'succeeded'],
        ['upgrade', 'succeeded'],
      ]);
      // The step before the failed one is not done again.
      expect((await tasksOfRule(rule.id)).map((t) => t.title)).toEqual(['Prepare Vera']);
      const { contact: after } = await admin.contacts.getContact({ id: contact.id, includeDeleted: false });
      expect(after?.tier).toBe('vip');
    } finally {
      if (!restarted) await harness.startContact();
    }
  });

  it('assigns among the members who are not away; with everyone away the run fails, and a retry assigns', async () => {
    await admin.teams.setAssignmentTeam({
      teamId: 'acme-east',
      expectedVersion: 0,
      memberIds: [rep.userId, rep2.userId],
    });
    const away = (userId: string, isAway: boolean) =>
      admin.teams.setAvailability({ teamId: 'acme-east', userId, away: isAway, awayUntil: undefined });
    await away(rep.userId, true);
    await away(rep2.userId, true);
    const rule = await manualRule([
      {
        id: 'assign',
        type: 'assign_owner',
        entity: 'contact',
        target: '{{payload.contactId}}',
        strategy: 'least_loaded',
        team: 'acme-east',
      },
    ]);
    const trigger = async (contactId: string) =>
      (await admin.rules.triggerRule({ id: rule.id, payload: { contactId }, requestId: `a-${unique()}` })).runId;
    const first = await newContact('Nobody');
    const failedId = await trigger(first.id);
    const failed = await runWith(failedId, 'failed');
    expect(failed.steps[0]?.error).toMatch(/away/);

    await away(rep2.userId, false);
    await admin.runs.retryRun({ id: failedId, expectedVersion: failed.version, fromStepId: 'assign' });
    await runWith(failedId, 'succeeded');
    expect((await admin.contacts.getContact({ id: first.id, includeDeleted: false })).contact?.ownerId).toBe(
      rep2.userId,
    );
    // Round robin and least loaded alike skip the member who is still away.
    const second = await newContact('Someone');
    await runWith(await trigger(second.id), 'succeeded');
    expect((await admin.contacts.getContact({ id: second.id, includeDeleted: false })).contact?.ownerId).toBe(
      rep2.userId,
    );
  });

  it('waits, then takes one arm of a branch and records the other as skipped', async () => {
    const rule = await manualRule([
      { id: 'pause', type: 'wait', for: { amount: 3, unit: 'seconds' } },
      {
        id: 'size',
        type: 'branch',
        if: { '>=': [{ var: 'payload.amount' }, 1000] },
        then: [{ id: 'big', type: 'create_task', title: 'Big {{payload.amount}}', owner: rep.userId }],
        else: [{ id: 'small', type: 'create_task', title: 'Small {{payload.amount}}', owner: rep.userId }],
      },
    ]);
    const { runId } = await admin.rules.triggerRule({
      id: rule.id,
      payload: { amount: 5000 },
      requestId: `b-${unique()}`,
    });
    const waiting = await runWith(runId, 'waiting');
    expect(waiting.steps.find((s) => s.id === 'pause')?.status).toBe('running');
    expect(waiting.steps.find((s) => s.id === 'pause')?.nextAttemptAt).toBeDefined();
    const done = await runWith(runId, 'succeeded');
    expect(done.steps.map((s) => [s.id, s.status])).toEqual([
      ['pause', 'succeeded'],
      ['size', 'succeeded'],
      ['big', 'succeeded'],
      ['small', 'skipped'],
    ]);
    expect(done.steps.find((s) => s.id === 'size')?.output).toEqual({ arm: 'then' });
    expect((await tasksOfRule(rule.id)).map((t) => t.title)).toEqual(['Big 5000']);
  });

  it('starts one run for an event handled several times at once, and stores its last step and success as one change', async () => {
    const name = `Twice${unique()}`;
    const rule = (
      await admin.rules.createRule({
        rule: RuleInput.fromPartial({
          key: `once-${unique()}`,
          name: 'Once per event',
          enabled: true,
          trigger: { type: 'event', event: 'contact.created' },
          conditions: { '==': [{ var: 'record.firstName' }, name] },
          actions: [
            { id: 'note', type: 'create_task', title: 'First {{record.firstName}}', owner: rep.userId },
            { id: 'task', type: 'create_task', title: 'Welcome {{record.firstName}}', owner: rep.userId },
          ] as never,
        }),
      })
    ).rule!;
    const contact = await newContact(name);
    const envelope = await eventually(async () =>
      (await readStreamEvents(bus, 'CONTACT', 'contact.created')).find((e) => e.aggregateId === contact.id),
    );
    // The consumer's delivery and five more of the same event side by side (a redelivery racing its original).
    await Promise.all(
      Array.from({ length: 5 }, () => harness.workflow.app.engine.handleEvent(triggerEventOf(envelope))),
    );
    const runs = await eventually(async () => {
      const { runs: list } = await admin.runs.listRuns({
        filter: RunFilter.fromPartial({ ruleId: rule.id }),
        page: { limit: 10, cursor: '' },
      });
      return list.length > 0 && list.every((r) => r.status === 'succeeded') ? list : undefined;
    }, 20_000);
    expect(runs).toHaveLength(1);
    const run = await runWith(runs[0]!.id, 'succeeded');
    expect(run.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
      ['note', 'succeeded', 1],
      ['task', 'succeeded', 1],
    ]);
    // Created, the first step stored, then the last step with the run's success: three versions, not four.
    expect(run.version).toBe(3);
    const finished = (await readStreamEvents(bus, 'WORKFLOW', 'workflow.run_succeeded')).filter(
      (e) => e.aggregateId === run.id,
    );
    expect(finished.map((e) => e.aggregateVersion)).toEqual([3]);
    const tasks = await tasksOfRule(rule.id);
    expect(tasks.map((t) => t.title).sort()).toEqual([`First ${name}`, `Welcome ${name}`]);
    expect(await harness.workflow.app.deps.timers.pending({ idPrefix: runTimerId(run.id) })).toHaveLength(0);

    // The consumer recorded the event a rule concerned as handled; a task.created no rule here looks at, once its
    // record's state is kept (the consumer has handled it), was not.
    const handled = harness.workflow.deps.handled;
    await eventually(async () => ((await handled.has('workflow-triggers-contact', envelope.id)) ? true : undefined));
    const taskId = tasks[0]!.id;
    await eventually(async () => {
      const { rows } = await sql`select 1 from record_states where entity = 'task' and id = ${taskId}`.execute(
        harness.workflow.app.deps.db,
      );
      return rows.length > 0 ? true : undefined;
    });
    const taskCreated = (await readStreamEvents(bus, 'WORKFLOW', 'task.created')).find((e) => e.aggregateId === taskId);
    expect(taskCreated).toBeDefined();
    expect(await handled.has('workflow-triggers-workflow', taskCreated!.id)).toBe(false);
  });

  it('resumes, after a restart, a run that a process accepted and died before working', async () => {
    const rule = await manualRule([{ id: 'task', type: 'create_task', title: 'After the crash', owner: rep.userId }]);
    // The process stops working runs and firing timers, as if it died right after accepting the run.
    await harness.workflow.app.deps.timers.stop();
    await harness.workflow.app.executor.drain();
    const { runId } = await admin.rules.triggerRule({ id: rule.id, payload: {}, requestId: `c-${unique()}` });
    const { run: accepted } = await admin.runs.getRun({ id: runId });
    expect([accepted?.status, accepted?.steps[0]?.status]).toEqual(['running', 'pending']);
    expect(await harness.workflow.app.deps.timers.pending({ idPrefix: runTimerId(runId) })).toHaveLength(1);
    await harness.stopWorkflow();
    await harness.startWorkflow();
    const done = await runWith(runId, 'succeeded');
    expect(done.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([['task', 'succeeded', 1]]);
    expect((await tasksOfRule(rule.id)).map((t) => t.title)).toEqual(['After the crash']);
    expect(await harness.workflow.app.deps.timers.pending({ idPrefix: runTimerId(runId) })).toHaveLength(0);
  });

  it('fires a schedule trigger once per occurrence in its time zone, and stops when the rule is disabled', async () => {
    const input = {
      key: `tick-${unique()}`,
      name: 'Tick',
      enabled: true,
      trigger: { type: 'schedule', cron: '*/2 * * * * *', timezone: 'Europe/Berlin' },
      actions: [{ id: 'tick', type: 'create_task', title: 'Tick {{trigger.scheduledAt}}', owner: rep.userId }],
    };
    const { rule } = await admin.rules.createRule({ rule: RuleInput.fromPartial(input as never) });
    const timer = () => harness.workflow.app.deps.timers.pending({ idPrefix: scheduleTimerId(rule!.id) });
    expect(await timer()).toHaveLength(1);
    const runs = await eventually(async () => {
      const { runs: found } = await admin.runs.listRuns({
        filter: RunFilter.fromPartial({ ruleId: rule!.id, status: 'succeeded' }),
        page: undefined,
      });
      return found.length >= 2 ? found : undefined;
    }, 20_000);
    const times: string[] = [];
    for (const { id } of runs) {
      const { run } = await admin.runs.getRun({ id });
      times.push(String((run?.input as { trigger: { scheduledAt: string } }).trigger.scheduledAt));
    }
    expect(new Set(times).size).toBe(times.length);
    for (const at of times) expect(new Date(at).getUTCSeconds() % 2).toBe(0);
    const titles = (await tasksOfRule(rule!.id)).map((t) => t.title);
    for (const at of times) expect(titles.filter((t) => t === `Tick ${at}`)).toHaveLength(1);

    await admin.rules.updateRule({
      id: rule!.id,
      expectedVersion: rule!.version,
      rule: RuleInput.fromPartial({ ...input, enabled: false } as never),
    });
    expect(await timer()).toHaveLength(0);
  });
});
