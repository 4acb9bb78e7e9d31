import type { ActivityServiceService } from '@crm/proto/crm/contact/v1/activity';
import type { ServiceHandlers } from '@crm/service-kit';
import type { ActivityService } from '../app/activity.service';
import { fromProtoActivityInput, toProtoActivity } from './mappers';

export function activityHandlers(activities: ActivityService): ServiceHandlers<typeof ActivityServiceService> {
  return {
    logActivity: async (req, ctx) => ({
      activity: toProtoActivity(await activities.log(ctx.principal, fromProtoActivityInput(req.activity))),
    }),
    getActivity: async (req, ctx) => ({ activity: toProtoActivity(await activities.get(ctx.principal, req.id)) }),
    deleteActivity: async (req, ctx) => ({
      activity: toProtoActivity(await activities.delete(ctx.principal, req.id, req.expectedVersion)),
    }),
    listContactTimeline: async (req, ctx) => {
      const page = await activities.contactTimeline(
        ctx.principal,
        req.contactId,
        req.types,
        req.page?.limit ?? 0,
        req.page?.cursor ?? '',
      );
      return { activities: page.rows.map(toProtoActivity), page: { nextCursor: page.nextCursor } };
    },
    listCompanyTimeline: async (req, ctx) => {
      const page = await activities.companyTimeline(
        ctx.principal,
        req.companyId,
        req.types,
        req.page?.limit ?? 0,
        req.page?.cursor ?? '',
      );
      return { activities: page.rows.map(toProtoActivity), page: { nextCursor: page.nextCursor } };
    },
  };
}
