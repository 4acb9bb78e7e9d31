import type { ServiceHandlers } from '@crm/service-kit';
import type { WorkflowServiceService, RuleInput } from '@crm/proto/crm/workflow/v1/rule';
import type { RulesService, RuleInputJson } from '../app/rules.service';
import type { RulesAsCode } from '../app/rules-as-code';
import type { RuleEngine } from '../app/rule-engine';
import { toRuleProto } from './mappers';

export function ruleInputJson(input: RuleInput | undefined): RuleInputJson {
  return {
    key: input?.key ?? '',
    name: input?.name ?? '',
    description: input?.description ?? '',
    enabled: input?.enabled ?? false,
    trigger: input?.trigger ?? null,
    conditions: input?.conditions ?? null,
    actions: input?.actions ?? null,
  };
}

export function ruleHandlers(
  rules: RulesService,
  code: RulesAsCode,
  engine: RuleEngine,
): ServiceHandlers<typeof WorkflowServiceService> {
  return {
    createRule: async (request, ctx) => ({
      rule: toRuleProto(await rules.create(ctx.principal, ruleInputJson(request.rule))),
    }),
    getRule: async (request, ctx) => ({ rule: toRuleProto(await rules.get(ctx.principal, request.id)) }),
    listRules: async (request, ctx) => {
      const page = await rules.list(
        ctx.principal,
        { triggerType: request.triggerType, enabledOnly: request.enabledOnly },
        request.page?.limit ?? 0,
        request.page?.cursor ?? '',
      );
      return { rules: page.rules.map(toRuleProto), page: { nextCursor: page.nextCursor } };
    },
    updateRule: async (request, ctx) => ({
      rule: toRuleProto(
        await rules.update(ctx.principal, request.id, request.expectedVersion, ruleInputJson(request.rule)),
      ),
    }),
    deleteRule: async (request, ctx) => ({
      rule: toRuleProto(await rules.delete(ctx.principal, request.id, request.expectedVersion)),
    }),
    dryRunRule: async (request, ctx) =>
      code.dryRun(
        ctx.principal,
        request.id ? { id: request.id } : { input: ruleInputJson(request.rule) },
        request.limit,
      ),
    exportRules: async (request, ctx) => ({ yaml: await code.exportYaml(ctx.principal, request.keys) }),
    applyRules: async (request, ctx) => code.apply(ctx.principal, request.yaml, request.dryRun, request.prune),
    triggerRule: async (request, ctx) => ({
      runId: await engine.triggerManually(ctx.principal, request.id, request.payload ?? {}, request.requestId),
    }),
  };
}
