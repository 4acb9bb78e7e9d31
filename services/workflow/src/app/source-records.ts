// Every record of one type in a tenant, as proto JSON (the shape events carry), paged through the owning service's
// list API as this service: what threshold backfills count.
import { Deal } from '@crm/proto/crm/pipeline/v1/deal';
import { Ticket } from '@crm/proto/crm/ticket/v1/ticket';
import type { AppDeps } from './app-deps';

type Json = Record<string, unknown>;

export async function* sourceRecords(deps: AppDeps, tenantId: string, source: 'deal' | 'ticket'): AsyncGenerator<Json> {
  const c = deps.clients;
  let cursor = '';
  do {
    if (source === 'deal') {
      const page = await c.call(tenantId, c.deals.listDeals.bind(c.deals), {
        filter: undefined,
        page: { limit: 200, cursor },
      });
      for (const deal of page.deals) yield Deal.toJSON(deal) as Json;
      cursor = page.page?.nextCursor ?? '';
    } else {
      const page = await c.call(tenantId, c.tickets.listTickets.bind(c.tickets), {
        filter: undefined,
        orderBy: 'created_asc',
        view: '',
        page: { limit: 200, cursor },
      });
      for (const ticket of page.tickets) yield Ticket.toJSON(ticket) as Json;
      cursor = page.page?.nextCursor ?? '';
    }
  } while (cursor);
}
