import type { EventStreamOptions } from '../events/event-stream';
import type { Route } from '../http/route';
import { activityRoutes } from './activities.routes';
import { companyRoutes } from './companies.routes';
import { contactRoutes } from './contacts.routes';
import { customFieldRoutes } from './custom-fields.routes';
import { dealRoutes } from './deals.routes';
import { eventRoutes, type SessionSet } from './events.routes';
import { healthRoutes, type Readiness } from './health.routes';
import { importRoutes } from './imports.routes';
import { meRoutes } from './me.routes';
import { pipelineRoutes } from './pipelines.routes';
import { reportRoutes } from './reports.routes';
import { settingsRoutes } from './settings.routes';
import { csatRoutes } from './csat.routes';
import { macroRoutes } from './macros.routes';
import { slaRoutes } from './sla.routes';
import { supportTeamRoutes } from './support-team.routes';
import { ticketRoutes } from './tickets.routes';
import { formRoutes } from './forms.routes';
import { taskRoutes } from './tasks.routes';
import { webhookRoutes } from './webhooks.routes';
import { workflowRunRoutes } from './workflow-runs.routes';
import { workflowRoutes } from './workflows.routes';

/** Every route of the API, in the order the docs list them. */
export function apiRoutes(events: EventStreamOptions, sessions: SessionSet, readiness: Readiness): Route[] {
  return [
    ...meRoutes,
    ...contactRoutes,
    ...activityRoutes,
    ...companyRoutes,
    ...importRoutes,
    ...customFieldRoutes,
    ...settingsRoutes,
    ...pipelineRoutes,
    ...dealRoutes,
    ...reportRoutes,
    ...ticketRoutes,
    ...slaRoutes,
    ...macroRoutes,
    ...supportTeamRoutes,
    ...csatRoutes,
    ...workflowRoutes,
    ...workflowRunRoutes,
    ...taskRoutes,
    ...webhookRoutes,
    ...formRoutes,
    ...eventRoutes(events, sessions),
    ...healthRoutes(readiness),
  ];
}
