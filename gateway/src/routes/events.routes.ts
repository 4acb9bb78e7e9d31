import { z } from 'zod';
import { ACCESS } from '../auth/access-policy';
import { EventStreamSession, resumePointOf, type EventStreamOptions } from '../events/event-stream';
import { defineRoute, type Route } from '../http/route';

/** Open SSE sessions, so shutdown can end them. */
export type SessionSet = Set<EventStreamSession>;

export function eventRoutes(options: EventStreamOptions, sessions: SessionSet): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/events',
      operationId: 'streamEvents',
      summary: 'Live domain events (Server-Sent Events)',
      description:
        'Streams the events of records the caller may see (tenant and record visibility, as for reads). The SSE event name is the event type (e.g. deal.stage_changed, contact.updated); data is the event as JSON. Each id is a resume point: reconnect with Last-Event-ID (or ?lastEventId=) to continue without gaps. A first "ready" event carries the starting point; comments are sent as heartbeats. A client that reads too slowly is disconnected and should resume.',
      tag: 'Events',
      access: ACCESS.anyone,
      streaming: true,
      query: z.strictObject({
        lastEventId: z
          .string()
          .max(2000)
          .optional()
          .meta({ description: 'Resume point, for clients that cannot send Last-Event-ID.' }),
      }),
      responses: [
        {
          status: 200,
          description: 'An event stream',
          contentType: 'text/event-stream',
          schema: z.record(z.string(), z.unknown()).meta({
            description: "Each event's data: the domain event (or the ready event's starting point) as JSON.",
          }),
        },
      ],
      handler: async ({ principal, req, res }) => {
        const resumeFrom = resumePointOf(req);
        const session = new EventStreamSession(options, principal, res, resumeFrom);
        sessions.add(session);
        res.once('close', () => sessions.delete(session));
        await session.start(resumeFrom !== undefined);
        return undefined;
      },
    }),
  ];
}
