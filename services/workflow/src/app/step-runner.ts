// What each action does. Every action carries an action id derived from its run and step, and applies once:
// tasks and deliveries get ids derived from it, updates are skipped when the record already has the values, an
// assignment's choice is remembered under it.
import { ServiceError, systemPrincipal } from '@crm/service-kit';
import { WRITABLE_FIELDS, maskPath, type RecordEntity } from '../domain/catalog';
import { conditionHolds } from '../domain/conditions';
import { deterministicId } from '../domain/deterministic-id';
import { durationMs } from '../domain/duration';
import { actionIdOf, type RunDoc, type StepState } from '../domain/run';
import type { ActionStep } from '../domain/rule-definition';
import { render } from '../domain/template';
import type { AppDeps } from './app-deps';
import type { AssignmentService } from './assignment.service';
import type { RecordGateway } from './record-gateway';
import type { StepOutcome, StepRunner } from './run-executor';
import type { TasksService } from './tasks.service';
import type { WebhooksService } from './webhooks.service';

type Context = Record<string, unknown>;

export class ActionRunner implements StepRunner {
  constructor(
    private readonly deps: AppDeps,
    private readonly tasks: TasksService,
    private readonly records: RecordGateway,
    private readonly assignment: AssignmentService,
    private readonly webhooks: WebhooksService,
  ) {}

  async perform(step: ActionStep, run: RunDoc, state: StepState, context: Context): Promise<StepOutcome> {
    const actionId = actionIdOf(run._id, state.id);
    switch (step.type) {
      case 'branch': {
        const holds = conditionHolds(step.if, context);
        return { kind: 'branch', arm: holds ? 'then' : 'else', input: { if: step.if, result: holds } };
      }
      case 'wait':
        return this.wait(step, state, context);
      case 'create_task':
        return this.createTask(step, run, actionId, context);
      case 'update_record':
        return this.updateRecord(step, run, context);
      case 'add_tag': {
        const target = this.target(step.target, step.entity, run, context);
        const tag = String(render(step.tag, context) ?? '');
        const input = { entity: step.entity, target, tag };
        const changed = await this.records.addTag(run.tenantId, step.entity, target, tag);
        return { kind: 'done', input, output: { changed } };
      }
      case 'assign_owner': {
        const target = this.target(step.target, step.entity, run, context);
        const chosen = await this.assignment.pick(run.tenantId, step.team, step.strategy, actionId);
        const input = { entity: step.entity, target, strategy: step.strategy, team: step.team };
        if (!chosen) return { kind: 'fail', input, error: `team ${step.team} has no member who is not away` };
        await this.records.transfer(run.tenantId, step.entity, target, chosen, step.team);
        return { kind: 'done', input, output: { ownerId: chosen } };
      }
      case 'webhook':
        return this.webhook(step, run, state, actionId, context);
      case 'add_note': {
        const target = this.target(step.target, 'ticket', run, context);
        const body = String(render(step.body, context) ?? '');
        const input = { target, public: step.public ?? false, body };
        const note = await this.records.addTicketNote(run.tenantId, target, body, step.public ?? false, actionId);
        return { kind: 'done', input, output: note };
      }
    }
  }

  private target(template: string | undefined, entity: RecordEntity, run: RunDoc, context: Context): string {
    const id = template ? render(template, context) : run.subjectType === entity ? run.subjectId : undefined;
    if (typeof id !== 'string' || id === '')
      throw new ServiceError('INVALID_ARGUMENT', `no ${entity} to act on (the target resolved to nothing)`);
    return id;
  }

  private wait(step: ActionStep & { type: 'wait' }, state: StepState, context: Context): StepOutcome {
    const now = this.deps.clock();
    let until = state.nextAttemptAt;
    if (!until) {
      if (step.for) until = new Date(now.getTime() + durationMs(step.for));
      else {
        const rendered = render(step.until, context);
        const at = typeof rendered === 'string' ? new Date(rendered) : undefined;
        if (!at || Number.isNaN(at.getTime()))
          return { kind: 'fail', error: `"until" is not a time: ${String(rendered)}` };
        until = at;
      }
    }
    if (until <= now) return { kind: 'done', output: { waitedUntil: until.toISOString() } };
    return { kind: 'wait', until, input: { until: until.toISOString() } };
  }

  private async createTask(
    step: ActionStep & { type: 'create_task' },
    run: RunDoc,
    actionId: string,
    context: Context,
  ): Promise<StepOutcome> {
    const now = this.deps.clock();
    const record = (context.record ?? {}) as Record<string, unknown>;
    const ownerId = String(render(step.owner ?? '{{record.ownerId}}', context) || run.ownerId || '');
    const dueAt = step.dueIn
      ? new Date(now.getTime() + durationMs(step.dueIn))
      : step.dueAt
        ? new Date(String(render(step.dueAt, context)))
        : null;
    const related = (render(step.related ?? {}, context) ?? {}) as Record<string, string>;
    const subjectLink = run.subjectType ? { [`${run.subjectType}Id`]: run.subjectId } : {};
    const links = { ...subjectLink, ...Object.fromEntries(Object.entries(related).filter(([, v]) => v)) } as Record<
      string,
      string
    >;
    const input = {
      title: String(render(step.title, context) ?? ''),
      description: String(render(step.description ?? '', context) ?? ''),
      ownerId,
      dueAt: dueAt && !Number.isNaN(dueAt.getTime()) ? dueAt.toISOString() : null,
      priority: step.priority ?? 'normal',
      ...links,
    };
    if (!ownerId)
      return { kind: 'fail', input, error: 'the task has no owner (the record has none and none is named)' };
    const id = deterministicId(run.createdAt, actionId);
    const existing = await this.deps.stores.tasks.load(id);
    if (existing) return { kind: 'done', input, output: { taskId: id } };
    const dueDate = input.dueAt ? new Date(input.dueAt) : null;
    const reminderAt =
      dueDate && step.reminderBefore ? new Date(dueDate.getTime() - durationMs(step.reminderBefore)) : null;
    try {
      await this.tasks.create(
        systemPrincipal(run.tenantId, 'workflow'),
        {
          title: input.title.slice(0, 500) || 'Task',
          description: input.description,
          dueAt: dueDate,
          priority: input.priority,
          reminderAt,
          contactId: links.contactId ?? '',
          companyId: links.companyId ?? '',
          dealId: links.dealId ?? '',
          ticketId: links.ticketId ?? '',
        },
        { ownerId, teamId: typeof record.teamId === 'string' ? record.teamId : run.teamId },
        { id, runId: run._id, ruleId: run.ruleId },
      );
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === 'ALREADY_EXISTS')) throw error;
    }
    return { kind: 'done', input, output: { taskId: id } };
  }

  private async updateRecord(
    step: ActionStep & { type: 'update_record' },
    run: RunDoc,
    context: Context,
  ): Promise<StepOutcome> {
    const set = render(step.set, context) as Record<string, unknown>;
    if (step.contactsOfCompany) {
      const companyId = String(render(step.contactsOfCompany, context) ?? '');
      const input = { entity: 'contact', contactsOfCompany: companyId, set };
      if (!companyId) return { kind: 'fail', input, error: 'contactsOfCompany resolved to nothing' };
      const ids = await this.records.contactsOfCompany(run.tenantId, companyId);
      const changed: string[] = [];
      for (const id of ids) if (await this.records.update(run.tenantId, 'contact', id, set)) changed.push(id);
      return { kind: 'done', input, output: { matched: ids.length, changed } };
    }
    const target = this.target(step.target, step.entity, run, context);
    const input = { entity: step.entity, target, set };
    const changed = await this.records.update(run.tenantId, step.entity, target, set);
    return { kind: 'done', input, output: { changed } };
  }

  private async webhook(
    step: ActionStep & { type: 'webhook' },
    run: RunDoc,
    state: StepState,
    actionId: string,
    context: Context,
  ): Promise<StepOutcome> {
    const payload =
      step.payload !== undefined
        ? render(step.payload, context)
        : { event: context.event ?? null, record: context.record ?? null, trigger: context.trigger ?? null };
    const input = { endpoint: step.endpoint, eventType: step.eventType };
    const delivery = await this.webhooks.deliveryForStep(
      run,
      state.id,
      actionId,
      step.endpoint,
      step.eventType,
      payload,
    );
    const lease = new Date(this.deps.clock().getTime() + this.deps.config.RUN_LEASE_MS * 10);
    switch (delivery.status) {
      case 'succeeded':
        return { kind: 'done', input, output: { deliveryId: delivery._id, attempts: delivery.attempts.length } };
      case 'pending':
        return { kind: 'wait', until: lease, input, output: { deliveryId: delivery._id } };
      default:
        if (state.status === 'pending') {
          // A retried run replays the delivery it had given up on.
          await this.webhooks.replay(run.tenantId, delivery.endpointId, [delivery._id]);
          return { kind: 'wait', until: lease, input, output: { deliveryId: delivery._id } };
        }
        return { kind: 'fail', input, error: `delivery ${delivery._id} ${delivery.status.replace('_', '-')}` };
    }
  }
}

/** Values of update_record.set as the owning service's input and update_mask. */
export function updateInputOf(
  entity: RecordEntity,
  set: Record<string, unknown>,
): { input: Record<string, unknown>; mask: string[] } {
  const input: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  const mask: string[] = [];
  for (const [field, value] of Object.entries(set)) {
    mask.push(maskPath(field));
    if (field.startsWith('customFields.')) custom[field.slice('customFields.'.length)] = value;
    else
      input[field] =
        WRITABLE_FIELDS[entity][field] === 'strings'
          ? Array.isArray(value)
            ? value.map(String)
            : [String(value)]
          : value === null
            ? ''
            : String(value);
  }
  if (Object.keys(custom).length) input.customFields = custom;
  return { input, mask };
}
