// From triggers to runs. Events of every stream are matched against the tenant's enabled rules (event triggers
// with changed from/to; relative triggers start or cancel their timers; thresholds add up and fire once per
// crossing); schedules fire from their timers; manual triggers from the API. Each match starts a run whose id is
// derived from the cause, so a redelivered event or a repeated timer never starts a second one.
import { sql } from 'kysely';
import { notFound, ServiceError, type DueTimer, type Principal } from '@crm/service-kit';
import { addBusinessDays, type BusinessCalendar } from '../domain/business-calendar';
import { conditionHolds } from '../domain/conditions';
import { deterministicId } from '../domain/deterministic-id';
import { nextOccurrence } from '../domain/schedule';
import { durationMs } from '../domain/duration';
import type { RuleDoc } from '../domain/records';
import { subjectOfTrigger, type RuleDefinition, type Trigger } from '../domain/rule-definition';
import { cancelSubjectOf, changedMatches, crossing, thresholdContribution } from '../domain/trigger-matching';
import { eventJson, type TriggerEvent } from '../events/trigger-event';
import { forgetsRecord, KEPT_ENTITIES, RecordStates } from '../store/record-states';
import { sourceRecords } from './source-records';
import type { AppDeps } from './app-deps';
import { definitionOf } from './rules.service';
import type { RunExecutor, RunSpec } from './run-executor';
import type { WebhooksService } from './webhooks.service';

export const RELATIVE_TIMER = 'rule.relative';
export const SCHEDULE_TIMER = 'rule.schedule';
export const BACKFILL_TIMER = 'rule.threshold_backfill';
const BACKFILL_LEASE_MS = 5 * 60_000;

interface LiveRule {
  doc: RuleDoc;
  definition: RuleDefinition;
}

const CACHE_MS = 30_000;

/** The consumer's record of the events it has applied. */
export interface HandledGuard {
  has(eventId: string): Promise<boolean>;
  add(eventId: string): Promise<void>;
}

/** Whether a rule's trigger looks at this event at all (its conditions are the trigger's own business). */
function concerns(trigger: Trigger, event: TriggerEvent): boolean {
  if (trigger.type === 'event') return trigger.event === event.type;
  if (trigger.type === 'relative') return trigger.after === event.type || Boolean(trigger.unless?.includes(event.type));
  if (trigger.type === 'threshold') return event.entity === trigger.source;
  return false;
}

export class RuleEngine {
  private readonly cache = new Map<string, { rules: LiveRule[]; at: number }>();
  private readonly states: RecordStates;

  constructor(
    private readonly deps: AppDeps,
    private readonly executor: RunExecutor,
    private readonly webhooks: WebhooksService,
  ) {
    this.states = new RecordStates(deps.db);
  }

  // ---- rules of a tenant ----

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  async rulesOf(tenantId: string): Promise<LiveRule[]> {
    const cached = this.cache.get(tenantId);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.rules;
    const { rows } = await sql<{ id: string }>`
      select id from rules where tenant_id = ${tenantId} and enabled and not deleted`.execute(this.deps.db);
    const docs = await Promise.all(rows.map((r) => this.deps.stores.rules.load(r.id)));
    const rules = docs
      .filter((d): d is RuleDoc => Boolean(d && d.enabled && !d.deletedAt))
      .map((doc) => ({ doc, definition: definitionOf(doc) }));
    this.cache.set(tenantId, { rules, at: Date.now() });
    return rules;
  }

  /** A rule was saved or deleted: refresh the cache and its schedule. */
  async ruleChanged(tenantId: string, doc: RuleDoc, definition: RuleDefinition | undefined): Promise<void> {
    this.invalidate(tenantId);
    const live = definition && doc.enabled && !doc.deletedAt ? definition : undefined;
    if (live?.trigger.type === 'schedule') await this.scheduleNext(doc, live.trigger, this.deps.clock());
    else await this.deps.timers.cancel(scheduleTimerId(doc._id));
    if (live?.trigger.type === 'threshold')
      await this.deps.timers.schedule({
        id: `backfill:${doc._id}:${doc.version}`,
        tenantId,
        kind: BACKFILL_TIMER,
        dueAt: this.deps.clock(),
        payload: { ruleId: doc._id, version: doc.version },
      });
  }

  // ---- events ----

  /**
   * Applies an event to the rules and endpoints it concerns. `handled` (the consumer's record of applied events) is
   * asked only when something does: an event no rule or endpoint cares about costs no bookkeeping, and its one
   * effect, the kept state of its record, is the same however often it comes.
   */
  async handleEvent(received: TriggerEvent, handled?: HandledGuard): Promise<void> {
    if (!received.tenantId) return;
    const event = await this.withPrevious(received);
    const [rules, endpoints] = await Promise.all([
      this.rulesOf(event.tenantId),
      this.webhooks.subscribers(event.tenantId, event.type),
    ]);
    const concerned = rules.filter((rule) => concerns(rule.definition.trigger, event));
    if (concerned.length === 0 && endpoints.length === 0) return;
    if (handled && (await handled.has(event.id))) return;
    for (const endpointId of endpoints)
      await this.webhooks.deliverEvent(event.tenantId, endpointId, {
        id: event.id,
        type: event.type,
        occurredAt: event.occurredAt,
        data: { ...eventJson(event), record: event.record, previous: event.previous },
      });
    for (const rule of concerned) {
      const trigger = rule.definition.trigger;
      if (trigger.type === 'event') await this.onEventTrigger(rule, trigger, event);
      if (trigger.type === 'relative') await this.onRelative(rule, trigger, event);
      if (trigger.type === 'threshold') await this.onThreshold(rule, trigger, event);
    }
    await handled?.add(event.id);
  }

  /** Producers that send no "before" get the state this service kept from their previous event. */
  private async withPrevious(event: TriggerEvent): Promise<TriggerEvent> {
    if (event.previous || !event.entity || !KEPT_ENTITIES.has(event.entity) || !event.record) return event;
    if (forgetsRecord(event.type)) {
      await this.states.forget(event.tenantId, event.entity, event.aggregateId);
      return event;
    }
    const previous = await this.states.previousOf({
      tenantId: event.tenantId,
      entity: event.entity,
      id: event.aggregateId,
      version: event.aggregateVersion,
      record: event.record,
    });
    return previous ? { ...event, previous } : event;
  }

  private contextOf(event: TriggerEvent, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { event: eventJson(event), record: event.record, previous: event.previous, ...extra };
  }

  private async onEventTrigger(rule: LiveRule, trigger: Extract<Trigger, { type: 'event' }>, event: TriggerEvent) {
    if (!changedMatches(trigger.changed, event)) return;
    const context = this.contextOf(event);
    if (!conditionHolds(rule.definition.conditions, context)) return;
    await this.executor.start(
      this.specOf(rule, event, 'event', `${rule.doc._id}:event:${event.id}`, event.occurredAt, context),
    );
  }

  private specOf(
    rule: LiveRule,
    event: TriggerEvent | undefined,
    triggerType: RunSpec['triggerType'],
    key: string,
    at: Date,
    context: Record<string, unknown>,
    subject?: { type: string; id: string; ownerId: string; teamId: string },
  ): RunSpec {
    const subjectType = subject?.type ?? subjectOfTrigger(rule.definition.trigger) ?? '';
    return {
      id: deterministicId(at, `${rule.doc.tenantId}:${key}`),
      tenantId: rule.doc.tenantId,
      ruleId: rule.doc._id,
      ruleVersion: rule.doc.version,
      ruleName: rule.doc.name,
      plan: rule.definition.actions,
      triggerType,
      eventId: event?.id ?? '',
      eventType: event?.type ?? '',
      subjectType,
      subjectId: subject?.id ?? (event && event.entity === subjectType ? event.aggregateId : ''),
      ownerId: subject?.ownerId || event?.ownerId || rule.doc.ownerId,
      teamId: subject?.teamId ?? event?.teamId ?? '',
      context,
    };
  }

  // ---- relative time triggers ----

  private async onRelative(rule: LiveRule, trigger: Extract<Trigger, { type: 'relative' }>, event: TriggerEvent) {
    const startEntity = event.type === trigger.after ? event.entity : undefined;
    if (startEntity) {
      const context = this.contextOf(event);
      if (!conditionHolds(rule.definition.conditions, context)) return;
      const dueAt = await this.dueAfter(event.tenantId, event.occurredAt, trigger);
      await this.deps.timers.schedule({
        id: relativeTimerId(rule.doc._id, event.aggregateId),
        tenantId: event.tenantId,
        kind: RELATIVE_TIMER,
        dueAt,
        payload: {
          ruleId: rule.doc._id,
          startEventId: event.id,
          context,
          subject: { type: startEntity, id: event.aggregateId, ownerId: event.ownerId, teamId: event.teamId },
        },
      });
      return;
    }
    if (trigger.unless?.includes(event.type)) {
      const afterEntity = trigger.after.split('.')[0] as string;
      const subject = cancelSubjectOf(afterEntity, event);
      if (subject) await this.deps.timers.cancel(relativeTimerId(rule.doc._id, subject));
    }
  }

  private async dueAfter(
    tenantId: string,
    start: Date,
    trigger: Extract<Trigger, { type: 'relative' }>,
  ): Promise<Date> {
    if (trigger.unit !== 'business_days')
      return new Date(start.getTime() + durationMs({ amount: trigger.delay, unit: trigger.unit }));
    const calendar = trigger.calendar ? await this.ticketCalendar(tenantId, trigger.calendar) : undefined;
    return addBusinessDays(start, trigger.delay, calendar ?? this.defaultCalendar());
  }

  /** A business calendar of the ticket service; undefined (the tenant default) when it does not exist. */
  private async ticketCalendar(tenantId: string, id: string): Promise<BusinessCalendar | undefined> {
    const c = this.deps.clients;
    try {
      const { calendar } = await c.call(tenantId, c.sla.getBusinessCalendar.bind(c.sla), { id });
      if (!calendar) return undefined;
      const workdays = [...new Set(calendar.hours.map((h) => h.weekday))];
      if (workdays.length === 0) return undefined;
      return { timezone: calendar.timeZone, workdays, holidays: calendar.holidays.map((h) => h.date) };
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === 'NOT_FOUND')) throw error;
      this.deps.log.warn({ tenantId, calendar: id }, 'business calendar not found; counting with the tenant default');
      return undefined;
    }
  }

  private defaultCalendar(): BusinessCalendar {
    return {
      timezone: this.deps.config.BUSINESS_TIMEZONE,
      workdays: this.deps.config.BUSINESS_DAYS.split(',').map(Number),
      holidays: [],
    };
  }

  async onRelativeTimer(timer: DueTimer): Promise<void> {
    const payload = timer.payload as {
      ruleId: string;
      startEventId: string;
      context: Record<string, unknown>;
      subject: { type: string; id: string; ownerId: string; teamId: string };
    };
    const rule = (await this.rulesOf(timer.tenantId)).find((r) => r.doc._id === payload.ruleId);
    if (!rule) return; // disabled or deleted since
    const context = { ...payload.context, trigger: { type: 'relative', dueAt: timer.dueAt.toISOString() } };
    await this.executor.start(
      this.specOf(
        rule,
        undefined,
        'relative',
        `${rule.doc._id}:relative:${payload.startEventId}`,
        timer.dueAt,
        context,
        payload.subject,
      ),
    );
  }

  // ---- thresholds ----

  private async onThreshold(rule: LiveRule, trigger: Extract<Trigger, { type: 'threshold' }>, event: TriggerEvent) {
    const contribution = thresholdContribution(trigger, event.record);
    if (!contribution) return;
    const tenantId = event.tenantId;
    const ruleId = rule.doc._id;
    const fire = await this.applyContribution(
      tenantId,
      ruleId,
      trigger,
      { id: event.aggregateId, version: event.aggregateVersion },
      contribution,
      'fire',
    );
    // A crossing stored but not yet started (a crash in between) is started by the next event of the group.
    const pending = fire ?? (await this.unstartedCrossing(tenantId, ruleId, contribution.groupKey));
    if (!pending) return;
    const subjectType = trigger.groupBy.replace(/Id$/, '');
    const context = {
      ...this.contextOf(event),
      trigger: {
        type: 'threshold',
        groupKey: contribution.groupKey,
        total: pending.total,
        above: trigger.above,
        crossing: pending.crossings,
      },
    };
    await this.executor.start(
      this.specOf(
        rule,
        event,
        'threshold',
        `${ruleId}:threshold:${contribution.groupKey}:${pending.crossings}`,
        event.occurredAt,
        context,
        {
          type: subjectType,
          id: contribution.groupKey,
          ownerId: event.ownerId,
          teamId: event.teamId,
        },
      ),
    );
    await sql`update threshold_groups set fired = greatest(fired, ${pending.crossings})
      where tenant_id = ${tenantId} and rule_id = ${ruleId} and group_key = ${contribution.groupKey}`.execute(
      this.deps.db,
    );
  }

  /**
   * Moves one record's contribution into its group (out of its old one) unless this version is already counted,
   * and answers a crossing upwards. Seeding (the backfill of records that existed before the rule) marks a group
   * that is above already as above without a crossing: only later crossings fire.
   */
  private async applyContribution(
    tenantId: string,
    ruleId: string,
    trigger: Extract<Trigger, { type: 'threshold' }>,
    member: { id: string; version: number },
    contribution: { groupKey: string; value: number },
    mode: 'fire' | 'seed',
  ): Promise<{ crossings: number; total: number } | undefined> {
    return this.deps.db.transaction().execute(async (trx) => {
      const previous = await sql<{ group_key: string; version: number; value: number }>`
        select group_key, version, value from threshold_members
        where tenant_id = ${tenantId} and rule_id = ${ruleId} and member_id = ${member.id} for update`.execute(trx);
      const before = previous.rows[0];
      if (before && before.version >= member.version) return undefined; // redelivered or out of date
      await sql`insert into threshold_groups (tenant_id, rule_id, group_key, total, above, crossings, fired)
        values (${tenantId}, ${ruleId}, ${contribution.groupKey}, 0, false, 0, 0) on conflict do nothing`.execute(trx);
      if (before && before.group_key !== contribution.groupKey)
        await sql`update threshold_groups set total = total - ${before.value}
          where tenant_id = ${tenantId} and rule_id = ${ruleId} and group_key = ${before.group_key}`.execute(trx);
      const delta = contribution.value - (before && before.group_key === contribution.groupKey ? before.value : 0);
      await sql`insert into threshold_members (tenant_id, rule_id, member_id, group_key, version, value)
        values (${tenantId}, ${ruleId}, ${member.id}, ${contribution.groupKey}, ${member.version}, ${contribution.value})
        on conflict (tenant_id, rule_id, member_id) do update set group_key = excluded.group_key,
          version = excluded.version, value = excluded.value`.execute(trx);
      const group = await sql<{ total: number; above: boolean; crossings: number }>`
        update threshold_groups set total = total + ${delta}
        where tenant_id = ${tenantId} and rule_id = ${ruleId} and group_key = ${contribution.groupKey}
        returning total, above, crossings`.execute(trx);
      const row = group.rows[0] as { total: number; above: boolean; crossings: number };
      const verdict = crossing(trigger, row.above, row.total);
      if (verdict === 'none') return undefined;
      const fires = verdict === 'fire' && mode === 'fire';
      const crossings = fires ? row.crossings + 1 : row.crossings;
      await sql`update threshold_groups set above = ${verdict === 'fire'}, crossings = ${crossings}
        where tenant_id = ${tenantId} and rule_id = ${ruleId} and group_key = ${contribution.groupKey}`.execute(trx);
      return fires ? { crossings, total: row.total } : undefined;
    });
  }

  /**
   * Counts the records that existed before a threshold rule was saved (its backfill), in the background: the
   * timer is re-armed as a lease first, so a process that dies mid-way leaves it to fire again (counting is
   * idempotent by record version), and cancelled at the end.
   */
  async onBackfillTimer(timer: DueTimer): Promise<void> {
    const { ruleId, version } = timer.payload as { ruleId: string; version: number };
    const rule = (await this.rulesOf(timer.tenantId)).find((r) => r.doc._id === ruleId);
    if (!rule || rule.doc.version !== version || rule.definition.trigger.type !== 'threshold') return;
    const trigger = rule.definition.trigger;
    setImmediate(() => {
      this.backfill(timer, rule, trigger).catch((error: unknown) =>
        this.deps.log.warn({ err: error, rule: ruleId }, 'threshold backfill failed; it is retried'),
      );
    });
  }

  private async backfill(timer: DueTimer, rule: LiveRule, trigger: Extract<Trigger, { type: 'threshold' }>) {
    await this.deps.timers.schedule({
      id: timer.id,
      tenantId: timer.tenantId,
      kind: timer.kind,
      dueAt: new Date(this.deps.clock().getTime() + BACKFILL_LEASE_MS),
      payload: timer.payload,
    });
    // Changes after the rule was saved are counted from their events, crossings included.
    const savedAt = rule.doc.updatedAt.getTime();
    let counted = 0;
    for await (const record of sourceRecords(this.deps, timer.tenantId, trigger.source)) {
      const contribution = thresholdContribution(trigger, record);
      const id = typeof record.id === 'string' ? record.id : '';
      const version = Number(record.version ?? 0);
      const changedAt = Date.parse(String(record.updatedAt ?? ''));
      if (!contribution || !id || !(changedAt <= savedAt)) continue;
      await this.applyContribution(timer.tenantId, rule.doc._id, trigger, { id, version }, contribution, 'seed');
      counted++;
    }
    await this.deps.timers.cancel(timer.id);
    this.deps.log.info({ rule: rule.doc._id, counted }, 'threshold backfill done');
  }

  private async unstartedCrossing(tenantId: string, ruleId: string, groupKey: string) {
    const { rows } = await sql<{ crossings: number; fired: number; total: number; above: boolean }>`
      select crossings, fired, total, above from threshold_groups
      where tenant_id = ${tenantId} and rule_id = ${ruleId} and group_key = ${groupKey}`.execute(this.deps.db);
    const row = rows[0];
    return row && row.above && row.crossings > row.fired ? { crossings: row.crossings, total: row.total } : undefined;
  }

  // ---- schedules ----

  private async scheduleNext(
    doc: RuleDoc,
    trigger: Extract<Trigger, { type: 'schedule' }>,
    after: Date,
  ): Promise<void> {
    const next = nextOccurrence(trigger, after);
    if (!next) return;
    await this.deps.timers.schedule({
      id: scheduleTimerId(doc._id),
      tenantId: doc.tenantId,
      kind: SCHEDULE_TIMER,
      dueAt: next,
      payload: { ruleId: doc._id, version: doc.version },
    });
  }

  async onScheduleTimer(timer: DueTimer): Promise<void> {
    const { ruleId } = timer.payload as { ruleId: string };
    const rule = (await this.rulesOf(timer.tenantId)).find((r) => r.doc._id === ruleId);
    if (!rule || rule.definition.trigger.type !== 'schedule') return;
    const at = timer.dueAt;
    const context = { trigger: { type: 'schedule', scheduledAt: at.toISOString() } };
    await this.executor.start(
      this.specOf(rule, undefined, 'schedule', `${ruleId}:schedule:${at.toISOString()}`, at, context),
    );
    // The next occurrence re-arms this very timer (the kit lets a handler do that); a crash before it fires this
    // one again, and the run above is keyed by its occurrence. From now when the firing is late (the process was
    // down): a missed stretch fires once.
    const after = new Date(Math.max(at.getTime(), this.deps.clock().getTime()));
    await this.scheduleNext(rule.doc, rule.definition.trigger, after);
  }

  // ---- manual ----

  async triggerManually(
    principal: Principal,
    ruleId: string,
    payload: Record<string, unknown>,
    requestId: string,
  ): Promise<string> {
    const doc = await this.deps.stores.rules.find(principal, ruleId);
    if (!doc || doc.deletedAt) throw notFound('rule');
    const definition = definitionOf(doc);
    if (definition.trigger.type !== 'manual')
      throw new ServiceError('FAILED_PRECONDITION', 'The rule has no manual trigger', { reason: 'NOT_MANUAL' });
    if (!doc.enabled)
      throw new ServiceError('FAILED_PRECONDITION', 'The rule is disabled', { reason: 'RULE_DISABLED' });
    const context = { payload, trigger: { type: 'manual', by: principal.userId } };
    if (!conditionHolds(definition.conditions, context))
      throw new ServiceError('FAILED_PRECONDITION', "The rule's conditions do not hold for this payload", {
        reason: 'CONDITIONS_NOT_MET',
      });
    const now = this.deps.clock();
    const key = `${doc._id}:manual:${requestId || `${principal.userId}:${now.toISOString()}:${Math.random()}`}`;
    const run = await this.executor.start(
      this.specOf({ doc, definition }, undefined, 'manual', key, now, context, {
        type: '',
        id: '',
        ownerId: principal.userId,
        teamId: principal.teamIds[0] ?? '',
      }),
    );
    return run._id;
  }
}

export function relativeTimerId(ruleId: string, subjectId: string): string {
  return `rel:${ruleId}:${subjectId}`;
}

export function scheduleTimerId(ruleId: string): string {
  return `sched:${ruleId}`;
}
