// Export to and apply from YAML, with a dry run that shows which existing records a rule would match now and what
// its actions would change, and a diff against the live version. A dry run changes nothing.
import { Company } from '@crm/proto/crm/contact/v1/company';
import { Contact } from '@crm/proto/crm/contact/v1/contact';
import { Deal } from '@crm/proto/crm/pipeline/v1/deal';
import { Ticket } from '@crm/proto/crm/ticket/v1/ticket';
import type {
  ApplyRulesResponse,
  DryRunMatch,
  DryRunRuleResponse,
  PlannedChange,
  RuleChange,
} from '@crm/proto/crm/workflow/v1/rule';
import { invalidArgument, type Principal } from '@crm/service-kit';
import { isDeepStrictEqual } from 'node:util';
import { conditionHolds } from '../domain/conditions';
import { flattenPlan } from '../domain/run';
import { subjectOfTrigger, type ActionStep, type RuleDefinition } from '../domain/rule-definition';
import { lineDiff, parseRulesYaml, ruleToYaml, rulesToYaml, sameRule } from '../domain/rules-yaml';
import { lookup, render } from '../domain/template';
import { changedMatches, thresholdContribution } from '../domain/trigger-matching';
import type { AppDeps } from './app-deps';
import { requireConfigReader, requireConfigurer } from './access';
import { definitionOf, type RuleInputJson, type RulesService } from './rules.service';

type Json = Record<string, unknown>;
const EXAMINE_MAX = 500;

export class RulesAsCode {
  constructor(
    private readonly deps: AppDeps,
    private readonly rules: RulesService,
  ) {}

  async exportYaml(principal: Principal, keys: readonly string[]): Promise<string> {
    requireConfigReader(principal, 'workflows');
    const live = [...(await this.rules.byKey(principal)).values()].map(definitionOf);
    return rulesToYaml(keys.length ? live.filter((r) => keys.includes(r.key)) : live);
  }

  async apply(principal: Principal, yaml: string, dryRun: boolean, prune: boolean): Promise<ApplyRulesResponse> {
    requireConfigurer(principal, 'workflows');
    if (yaml.length > 1_000_000) throw invalidArgument([{ field: 'yaml', description: 'is larger than 1 MB' }]);
    const { rules, violations } = parseRulesYaml(yaml);
    if (violations.length) throw invalidArgument(violations);
    const live = await this.rules.byKey(principal);
    const changes: RuleChange[] = [];
    for (const rule of rules) {
      const current = live.get(rule.key);
      const before = current ? definitionOf(current) : undefined;
      const action = !before ? 'create' : sameRule(before, rule) ? 'unchanged' : 'update';
      const change: RuleChange = {
        key: rule.key,
        action,
        ruleId: current?._id ?? '',
        diff: action === 'unchanged' ? '' : lineDiff(before ? ruleToYaml(before) : '', ruleToYaml(rule)),
        version: current?.version ?? 0,
        matches: [],
      };
      if (dryRun) change.matches = (await this.matches(principal, rule, 20)).matches;
      else if (action === 'create') {
        const doc = await this.rules.create(principal, inputOf(rule));
        change.ruleId = doc._id;
        change.version = doc.version;
      } else if (action === 'update' && current) {
        const doc = await this.rules.update(principal, current._id, current.version, inputOf(rule));
        change.version = doc.version;
      }
      changes.push(change);
    }
    if (prune) {
      const named = new Set(rules.map((r) => r.key));
      for (const [key, doc] of live) {
        if (named.has(key)) continue;
        const change: RuleChange = {
          key,
          action: 'delete',
          ruleId: doc._id,
          diff: lineDiff(ruleToYaml(definitionOf(doc)), ''),
          version: doc.version,
          matches: [],
        };
        if (!dryRun) change.version = (await this.rules.delete(principal, doc._id, doc.version)).version;
        changes.push(change);
      }
    }
    return { changes, dryRun };
  }

  async dryRun(
    principal: Principal,
    what: { id?: string; input?: RuleInputJson },
    limit: number,
  ): Promise<DryRunRuleResponse> {
    requireConfigReader(principal, 'workflows');
    const rule = what.id
      ? definitionOf(await this.rules.require(principal, what.id))
      : this.rules.validate(what.input as RuleInputJson);
    if (limit < 0 || limit > 100) throw invalidArgument([{ field: 'limit', description: 'must be between 1 and 100' }]);
    return this.matches(principal, rule, limit || 20);
  }

  /** Existing records the rule matches now, and the changes its actions would make to each. */
  private async matches(principal: Principal, rule: RuleDefinition, limit: number): Promise<DryRunRuleResponse> {
    const trigger = rule.trigger;
    if (trigger.type === 'schedule' || trigger.type === 'manual')
      return {
        matches: [],
        examined: 0,
        notes: [`a ${trigger.type} trigger is not about existing records; each firing runs the actions once`],
      };
    const subject = trigger.type === 'threshold' ? trigger.source : subjectOfTrigger(trigger);
    const records = await this.records(principal.tenantId, subject);
    const matches: DryRunMatch[] = [];
    const notes: string[] = [];
    if (trigger.type === 'threshold') {
      const totals = new Map<string, number>();
      for (const record of records) {
        const c = thresholdContribution(trigger, record);
        if (c) totals.set(c.groupKey, (totals.get(c.groupKey) ?? 0) + c.value);
      }
      for (const [groupKey, total] of totals) {
        if (total < trigger.above || matches.length >= limit) continue;
        const context = { trigger: { type: 'threshold', groupKey, total, above: trigger.above } };
        matches.push({
          subjectType: trigger.groupBy.replace(/Id$/, ''),
          subjectId: groupKey,
          subjectName: `total ${total}`,
          changes: await this.planned(principal, rule.actions, context),
        });
      }
      notes.push(
        'a threshold fires when a total crosses it; groups above it now fire only after dropping below and crossing again',
      );
    } else {
      for (const record of records) {
        if (matches.length >= limit) break;
        const context: Json = {
          record,
          previous: null,
          event: { type: trigger.type === 'event' ? trigger.event : trigger.after, aggregateId: record.id },
        };
        if (
          trigger.type === 'event' &&
          trigger.changed &&
          !changedMatches(
            trigger.changed.map((c) => ({ field: c.field, to: c.to })),
            { record, previous: null, changedFields: trigger.changed.map((c) => c.field) },
          )
        )
          continue;
        if (!conditionHolds(rule.conditions, context)) continue;
        matches.push({
          subjectType: subject ?? '',
          subjectId: String(record.id),
          subjectName: nameOf(record),
          changes: await this.planned(principal, rule.actions, context, subject, String(record.id)),
        });
      }
      if (records.length >= EXAMINE_MAX) notes.push(`examined the first ${EXAMINE_MAX} records only`);
    }
    return { matches, examined: records.length, notes };
  }

  private async planned(
    principal: Principal,
    actions: readonly ActionStep[],
    context: Json,
    subject?: string,
    subjectId?: string,
  ): Promise<PlannedChange[]> {
    const changes: PlannedChange[] = [];
    for (const step of flattenPlan(actions)) {
      const target =
        'target' in step && step.target
          ? String(render(step.target, context) ?? '')
          : step.type !== 'webhook' && 'entity' in step && step.entity === subject
            ? (subjectId ?? '')
            : '';
      switch (step.type) {
        case 'update_record': {
          const set = render(step.set, context) as Json;
          const current = step.entity === subject ? (context.record as Json) : undefined;
          const fields: Json = {};
          for (const [field, to] of Object.entries(set)) {
            const from = current ? (lookup(current, field) ?? null) : null;
            if (!current || !isDeepStrictEqual(from, to)) fields[field] = { from, to };
          }
          const who = step.contactsOfCompany
            ? `contacts of company ${String(render(step.contactsOfCompany, context))}`
            : `${step.entity}:${target}`;
          changes.push({
            stepId: step.id ?? '',
            action: step.type,
            target: who,
            fields,
            description: Object.keys(fields).length
              ? `set ${Object.entries(fields)
                  .map(([f, v]) => `${f} from ${JSON.stringify((v as Json).from)} to ${JSON.stringify((v as Json).to)}`)
                  .join(', ')}`
              : 'nothing to change',
          });
          break;
        }
        case 'create_task':
          changes.push({
            stepId: step.id ?? '',
            action: step.type,
            target: `${subject ?? ''}:${subjectId ?? ''}`,
            fields: undefined,
            description: `create task "${String(render(step.title, context))}" for ${String(render(step.owner ?? '{{record.ownerId}}', context))}`,
          });
          break;
        case 'webhook':
          changes.push({
            stepId: step.id ?? '',
            action: step.type,
            target: `webhook:${step.endpoint}`,
            fields: undefined,
            description: `send ${step.eventType} to endpoint ${step.endpoint}`,
          });
          break;
        case 'add_tag':
          changes.push({
            stepId: step.id ?? '',
            action: step.type,
            target: `${step.entity}:${target}`,
            fields: undefined,
            description: `add tag ${String(render(step.tag, context))}`,
          });
          break;
        case 'add_note':
          changes.push({
            stepId: step.id ?? '',
            action: step.type,
            target: `ticket:${target || (subject === 'ticket' ? (subjectId ?? '') : '')}`,
            fields: undefined,
            description: `add ${step.public ? 'a public reply' : 'an internal note'}: "${String(render(step.body, context)).slice(0, 80)}"`,
          });
          break;
        case 'assign_owner':
          changes.push({
            stepId: step.id ?? '',
            action: step.type,
            target: `${step.entity}:${target}`,
            fields: undefined,
            description: `assign an owner from team ${step.team} (${step.strategy.replace('_', '-')})`,
          });
          break;
        default:
          changes.push({
            stepId: step.id ?? '',
            action: step.type,
            target: '',
            fields: undefined,
            description: step.type,
          });
      }
    }
    void principal;
    return changes;
  }

  /** Records of the subject type, as proto JSON, through the owner's list API (bounded). */
  private async records(tenantId: string, subject: string | undefined): Promise<Json[]> {
    const c = this.deps.clients;
    const out: Json[] = [];
    let cursor = '';
    do {
      if (subject === 'contact') {
        const page = await c.call(tenantId, c.contacts.listContacts.bind(c.contacts), {
          filter: undefined,
          page: { limit: 200, cursor },
        });
        out.push(...page.contacts.map((x) => Contact.toJSON(x) as Json));
        cursor = page.page?.nextCursor ?? '';
      } else if (subject === 'deal') {
        const page = await c.call(tenantId, c.deals.listDeals.bind(c.deals), {
          filter: undefined,
          page: { limit: 200, cursor },
        });
        out.push(...page.deals.map((x) => Deal.toJSON(x) as Json));
        cursor = page.page?.nextCursor ?? '';
      } else if (subject === 'company') {
        const page = await c.call(tenantId, c.companies.listCompanies.bind(c.companies), {
          filter: undefined,
          page: { limit: 200, cursor },
        });
        out.push(...page.companies.map((x) => Company.toJSON(x) as Json));
        cursor = page.page?.nextCursor ?? '';
      } else if (subject === 'ticket') {
        const page = await c.call(tenantId, c.tickets.listTickets.bind(c.tickets), {
          filter: undefined,
          orderBy: 'created_asc',
          view: '',
          page: { limit: 200, cursor },
        });
        out.push(...page.tickets.map((x) => Ticket.toJSON(x) as Json));
        cursor = page.page?.nextCursor ?? '';
      } else return out;
    } while (cursor && out.length < EXAMINE_MAX);
    return out;
  }
}

function nameOf(record: Json): string {
  const parts = [record.firstName, record.lastName].filter((p) => typeof p === 'string' && p);
  if (parts.length) return parts.join(' ');
  return String(record.title ?? record.name ?? record.id ?? '');
}

function inputOf(rule: RuleDefinition): RuleInputJson {
  return {
    key: rule.key,
    name: rule.name,
    description: rule.description,
    enabled: rule.enabled,
    trigger: rule.trigger,
    conditions: rule.conditions,
    actions: rule.actions,
  };
}
