import type { EventStreamOptions } from '../events/event-stream';
import type { Route } from '../http/route';
import { contactRoutes } from './contacts.routes';
import { eventRoutes, type SessionSet } from './events.routes';
import { healthRoutes, type Readiness } from './health.routes';
import { meRoutes } from './me.routes';

/** Every route of the API, in the order the docs list them. */
export function apiRoutes(events: EventStreamOptions, sessions: SessionSet, readiness: Readiness): Route[] {
  return [...meRoutes, ...contactRoutes, ...eventRoutes(events, sessions), ...healthRoutes(readiness)];
}
