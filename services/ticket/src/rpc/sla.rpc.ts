// gRPC handlers of SlaService: business calendars and SLA policies.
import type {
  BusinessCalendarInput,
  SlaPolicyInput as SlaPolicyInputProto,
  SlaServiceService,
} from '@crm/proto/crm/ticket/v1/sla';
import type { ServiceHandlers } from '@crm/service-kit';
import type { SlaAdminService } from '../app/sla-admin.service';
import type { CalendarInput, SlaPolicyInput } from '../domain/sla-policy';
import type { Priority, SlaMetric, TicketStatus } from '../domain/ticket-values';
import { toCalendarProto, toPolicyProto } from './mappers';

function calendarOf(input: BusinessCalendarInput | undefined): CalendarInput {
  return {
    name: input?.name ?? '',
    timeZone: input?.timeZone ?? '',
    hours: (input?.hours ?? []).map((h) => ({ weekday: h.weekday, start: h.start, end: h.end })),
    holidays: (input?.holidays ?? []).map((h) => ({ name: h.name, date: h.date, yearly: h.yearly })),
  };
}

function policyOf(input: SlaPolicyInputProto | undefined): SlaPolicyInput {
  const c = input?.conditions;
  return {
    name: input?.name ?? '',
    position: input?.position ?? 0,
    conditions: {
      priorities: c?.priorities ?? [],
      groupIds: c?.groupIds ?? [],
      channels: c?.channels ?? [],
      types: c?.types ?? [],
      tags: (c?.tags ?? []).map((t) => t.toLowerCase()),
    },
    calendarId: input?.calendarId ?? '',
    targets: (input?.targets ?? []).map((t) => ({
      priority: t.priority as Priority,
      metric: t.metric as SlaMetric,
      targetSeconds: t.targetSeconds,
      businessHours: t.businessHours,
    })),
    pauseStatuses: (input?.pauseStatuses ?? []) as TicketStatus[],
    fulfilStatuses: (input?.fulfilStatuses ?? []) as TicketStatus[],
    warningPercent: input?.warningPercent ?? 0,
    enabled: input?.enabled ?? false,
  };
}

const version = (v: number) => (v > 0 ? v : undefined);

export function slaHandlers(sla: SlaAdminService): ServiceHandlers<typeof SlaServiceService> {
  return {
    createBusinessCalendar: async (req, ctx) => ({
      calendar: toCalendarProto(await sla.createCalendar(ctx.principal, calendarOf(req.calendar))),
    }),
    getBusinessCalendar: async (req, ctx) => ({
      calendar: toCalendarProto(await sla.getCalendar(ctx.principal, req.id)),
    }),
    updateBusinessCalendar: async (req, ctx) => ({
      calendar: toCalendarProto(
        await sla.updateCalendar(ctx.principal, req.id, version(req.expectedVersion), calendarOf(req.calendar)),
      ),
    }),
    deleteBusinessCalendar: async (req, ctx) => ({
      calendar: toCalendarProto(await sla.deleteCalendar(ctx.principal, req.id, version(req.expectedVersion))),
    }),
    listBusinessCalendars: async (_req, ctx) => ({
      calendars: (await sla.listCalendars(ctx.principal)).map(toCalendarProto),
      page: { nextCursor: '' },
    }),
    createSlaPolicy: async (req, ctx) => ({
      policy: toPolicyProto(await sla.createPolicy(ctx.principal, policyOf(req.policy))),
    }),
    getSlaPolicy: async (req, ctx) => ({ policy: toPolicyProto(await sla.getPolicy(ctx.principal, req.id)) }),
    updateSlaPolicy: async (req, ctx) => ({
      policy: toPolicyProto(
        await sla.updatePolicy(ctx.principal, req.id, version(req.expectedVersion), policyOf(req.policy)),
      ),
    }),
    deleteSlaPolicy: async (req, ctx) => ({
      policy: toPolicyProto(await sla.deletePolicy(ctx.principal, req.id, version(req.expectedVersion))),
    }),
    listSlaPolicies: async (_req, ctx) => ({ policies: (await sla.listPolicies(ctx.principal)).map(toPolicyProto) }),
  };
}
