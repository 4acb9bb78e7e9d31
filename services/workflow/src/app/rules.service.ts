// Rules: create, read, list, replace, delete. Every definition is validated when saved (INVALID_ARGUMENT naming
// the field); keys are unique per tenant (a claim document); every change refreshes the engine's view.
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import {
  afterCursor,
  decodeCursor,
  invalidArgument,
  notFound,
  orderBy,
  pageOf,
  pageSize,
  scopeOf,
  scopeSql,
  ServiceError,
  versionMismatch,
  type Principal,
  type SortKey,
} from '@crm/service-kit';
import { parseRule, type RuleDefinition } from '../domain/rule-definition';
import type { RuleDoc } from '../domain/records';
import type { AppDeps } from './app-deps';
import { requireConfigReader, requireConfigurer } from './access';

export interface RuleInputJson {
  key: string;
  name: string;
  description: string;
  enabled: boolean;
  trigger: unknown;
  conditions: unknown;
  actions: unknown;
}

/** What the engine does when a rule changes (cache, schedules, thresholds). */
export type RuleListener = (tenantId: string, rule: RuleDoc, definition: RuleDefinition | undefined) => Promise<void>;

const KEYS: SortKey[] = [{ column: 'id', direction: 'asc' }];

export function definitionOf(doc: RuleDoc): RuleDefinition {
  const stored = JSON.parse(doc.definitionJson) as Pick<RuleDefinition, 'trigger' | 'conditions' | 'actions'>;
  return { key: doc.key, name: doc.name, description: doc.description, enabled: doc.enabled, ...stored };
}

export class RulesService {
  private readonly listeners: RuleListener[] = [];

  constructor(private readonly deps: AppDeps) {}

  onChange(listener: RuleListener): void {
    this.listeners.push(listener);
  }

  validate(input: RuleInputJson): RuleDefinition {
    const { rule, violations } = parseRule(input);
    if (!rule) throw invalidArgument(violations);
    return rule;
  }

  async create(principal: Principal, input: RuleInputJson): Promise<RuleDoc> {
    requireConfigurer(principal, 'workflows');
    const rule = this.validate(input);
    const id = uuidv7();
    const conflicts = await this.deps.ruleKeys.claimAllOrNothing(principal.tenantId, id, [
      { kind: 'key', value: rule.key },
    ]);
    if (conflicts.length)
      throw new ServiceError('ALREADY_EXISTS', `A rule with key "${rule.key}" exists already`, {
        reason: 'DUPLICATE',
        metadata: { existingId: conflicts[0]?.holderId ?? '', field: 'key' },
      });
    const doc = await this.deps.stores.rules.create(
      principal,
      { _id: id, ownerId: principal.userId, teamId: '', ...fieldsOf(rule) },
      this.deps.events.rule('workflow.rule_created', principal),
    );
    await this.changed(doc, rule);
    return doc;
  }

  async get(principal: Principal, id: string): Promise<RuleDoc> {
    requireConfigReader(principal, 'workflows');
    return this.deps.stores.rules.get(principal, id);
  }

  async update(principal: Principal, id: string, expectedVersion: number, input: RuleInputJson): Promise<RuleDoc> {
    requireConfigurer(principal, 'workflows');
    const rule = this.validate(input);
    const current = await this.deps.stores.rules.get(principal, id);
    if (expectedVersion && current.version !== expectedVersion) throw versionMismatch(expectedVersion, current.version);
    if (rule.key !== current.key) {
      const conflicts = await this.deps.ruleKeys.claimAllOrNothing(principal.tenantId, id, [
        { kind: 'key', value: rule.key },
      ]);
      if (conflicts.length)
        throw invalidArgument([{ field: 'key', description: `another rule has the key "${rule.key}"` }]);
    }
    const doc = await this.deps.stores.rules.update(principal, id, expectedVersion || current.version, () => ({
      set: fieldsOf(rule),
      messages: this.deps.events.rule('workflow.rule_updated', principal),
    }));
    if (rule.key !== current.key)
      await this.deps.ruleKeys.release(principal.tenantId, id, [{ kind: 'key', value: current.key }]);
    await this.changed(doc, rule);
    return doc;
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<RuleDoc> {
    requireConfigurer(principal, 'workflows');
    const doc = await this.deps.stores.rules.update(principal, id, expectedVersion || undefined, () => ({
      set: { deletedAt: this.deps.clock(), enabled: false },
      messages: this.deps.events.rule('workflow.rule_deleted', principal),
    }));
    await this.deps.ruleKeys.release(principal.tenantId, id, [{ kind: 'key', value: doc.key }]);
    await this.changed(doc, undefined);
    return doc;
  }

  async list(
    principal: Principal,
    filter: { triggerType?: string; enabledOnly?: boolean },
    limit: number,
    cursor: string,
  ): Promise<{ rules: RuleDoc[]; nextCursor: string }> {
    requireConfigReader(principal, 'workflows');
    const size = pageSize(limit);
    const scope = scopeOf(principal, 'workflows', 'read');
    const after = cursor ? afterCursor(KEYS, decodeCursor(cursor, KEYS.length)) : sql`true`;
    const { rows } = await sql<{ id: string }>`
      select id from rules
      where ${scopeSql(scope)} and not deleted and ${after}
        and (${filter.triggerType ?? ''} = '' or trigger_type = ${filter.triggerType ?? ''})
        and (${!filter.enabledOnly} or enabled)
      order by ${orderBy(KEYS)} limit ${size + 1}`.execute(this.deps.db);
    const page = pageOf(rows, size, (r) => [r.id]);
    const docs = await this.deps.stores.rules.getMany(
      principal,
      page.rows.map((r) => r.id),
    );
    return { rules: docs, nextCursor: page.nextCursor };
  }

  /** Live rules of a tenant by key (rules as code). */
  async byKey(principal: Principal): Promise<Map<string, RuleDoc>> {
    const all: RuleDoc[] = [];
    let cursor = '';
    do {
      const page = await this.list(principal, {}, 200, cursor);
      all.push(...page.rules);
      cursor = page.nextCursor;
    } while (cursor);
    return new Map(all.map((r) => [r.key, r]));
  }

  async require(principal: Principal, id: string): Promise<RuleDoc> {
    const doc = await this.deps.stores.rules.find(principal, id);
    if (!doc) throw notFound('rule');
    return doc;
  }

  private async changed(doc: RuleDoc, rule: RuleDefinition | undefined): Promise<void> {
    for (const listener of this.listeners) await listener(doc.tenantId, doc, doc.deletedAt ? undefined : rule);
  }
}

function fieldsOf(rule: RuleDefinition) {
  return {
    key: rule.key,
    name: rule.name,
    description: rule.description,
    enabled: rule.enabled,
    triggerType: rule.trigger.type,
    definitionJson: JSON.stringify({ trigger: rule.trigger, conditions: rule.conditions, actions: rule.actions }),
  };
}
