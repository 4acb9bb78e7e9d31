// gRPC handlers of SupportService: macros, agents, groups, ticket field definitions.
import type { MacroInput as MacroInputProto, SupportServiceService } from '@crm/proto/crm/ticket/v1/support';
import type { CustomFieldDefinition as CustomFieldDefinitionProto } from '@crm/proto/crm/contact/v1/settings';
import type { CustomFieldDefinition, CustomFieldValues, ServiceHandlers } from '@crm/service-kit';
import type { MacroInput, SupportService } from '../app/support.service';
import { toAgentProto, toGroupProto, toMacroProto } from './mappers';

function macroOf(input: MacroInputProto | undefined): MacroInput {
  const a = input?.actions;
  return {
    name: input?.name ?? '',
    description: input?.description ?? '',
    actions: {
      status: a?.status ?? '',
      priority: a?.priority ?? '',
      type: a?.type ?? '',
      assigneeId: a?.assigneeId ?? '',
      groupId: a?.groupId ?? '',
      addTags: a?.addTags ?? [],
      removeTags: a?.removeTags ?? [],
      customFields: (a?.customFields ?? {}) as CustomFieldValues,
      reply: a?.reply ?? '',
      replyPublic: a?.replyPublic ?? false,
    },
  };
}

/** Definitions as the kit validates them: optional proto fields left out when unset. */
/** Proto defaults (no options, integer false) are "not set": the kit refuses settings a field's type cannot have. */
function definitionIn(d: CustomFieldDefinitionProto): Record<string, unknown> {
  const selects = d.type === 'single_select' || d.type === 'multi_select';
  const out: Record<string, unknown> = { ...d };
  for (const key of ['maxLength', 'min', 'max'] as const) if (d[key] === undefined) delete out[key];
  if (!d.description) delete out.description;
  if (!selects && d.options.length === 0) delete out.options;
  if (!d.integer) delete out.integer;
  return out;
}

function definitionOut(d: CustomFieldDefinition): CustomFieldDefinitionProto {
  return {
    key: d.key,
    label: d.label,
    type: d.type,
    required: d.required ?? false,
    archived: d.archived ?? false,
    description: d.description ?? '',
    options: (d.options ?? []).map((o) => ({ value: o.value, label: o.label, archived: o.archived ?? false })),
    maxLength: d.maxLength,
    min: d.min,
    max: d.max,
    integer: d.integer ?? false,
  };
}

const version = (v: number) => (v > 0 ? v : undefined);

export function supportHandlers(support: SupportService): ServiceHandlers<typeof SupportServiceService> {
  return {
    createMacro: async (req, ctx) => ({
      macro: toMacroProto(await support.createMacro(ctx.principal, macroOf(req.macro))),
    }),
    getMacro: async (req, ctx) => ({ macro: toMacroProto(await support.getMacro(ctx.principal, req.id)) }),
    updateMacro: async (req, ctx) => ({
      macro: toMacroProto(
        await support.updateMacro(ctx.principal, req.id, version(req.expectedVersion), macroOf(req.macro)),
      ),
    }),
    deleteMacro: async (req, ctx) => ({
      macro: toMacroProto(await support.deleteMacro(ctx.principal, req.id, version(req.expectedVersion))),
    }),
    listMacros: async (_req, ctx) => ({ macros: (await support.listMacros(ctx.principal)).map(toMacroProto) }),
    putAgent: async (req, ctx) => ({
      agent: toAgentProto(
        await support.putAgent(
          ctx.principal,
          {
            userId: req.agent?.userId ?? '',
            name: req.agent?.name ?? '',
            groupIds: req.agent?.groupIds ?? [],
            calendarId: req.agent?.calendarId ?? '',
            away: req.agent?.away ?? false,
            capacity: req.agent?.capacity ?? 0,
          },
          req.agent?.version,
        ),
      ),
    }),
    listAgents: async (req, ctx) => ({
      agents: (await support.listAgents(ctx.principal, req.groupId)).map(toAgentProto),
    }),
    putGroup: async (req, ctx) => ({
      group: toGroupProto(
        await support.putGroup(
          ctx.principal,
          req.group?.groupId ?? '',
          req.group?.assignment ?? '',
          req.group?.version,
        ),
      ),
    }),
    listGroups: async (_req, ctx) => ({ groups: (await support.listGroups(ctx.principal)).map(toGroupProto) }),
    getTicketFieldDefinitions: async (_req, ctx) => {
      const result = await support.getFieldDefinitions(ctx.principal);
      return { definitions: result.definitions.map(definitionOut), version: result.version };
    },
    setTicketFieldDefinitions: async (req, ctx) => {
      const result = await support.setFieldDefinitions(
        ctx.principal,
        req.definitions.map(definitionIn),
        req.expectedVersion,
      );
      return { definitions: result.definitions.map(definitionOut), version: result.version };
    },
  };
}
