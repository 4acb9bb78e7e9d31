// What a live event (GET /api/v1/events) makes stale in the query cache. Events carry ids and types, so the
// affected queries refetch rather than being patched from partial payloads: one rule, always consistent.

export interface LiveEvent {
  id: string;
  type: string;
  tenantId: string;
  aggregateId: string;
  aggregateVersion: number;
  occurredAt: string | null;
  actor: { userId: string; clientId: string } | null;
  ownerId: string;
  teamId: string;
  data: unknown;
}

export type QueryKeyPrefix = readonly (string | number)[];

export function invalidationsFor(event: Pick<LiveEvent, 'type' | 'aggregateId'>): QueryKeyPrefix[] {
  const [domain] = event.type.split('.');
  const id = event.aggregateId;
  switch (domain) {
    case 'deal':
      return [['board'], ['deals', 'list'], ['deals', 'detail', id], ['forecast']];
    case 'pipeline':
      return [['pipelines'], ['board'], ['forecast']];
    case 'contact':
      if (event.type === 'contact.merged' || event.type === 'contact.erased')
        return [['contacts'], ['companies', 'contacts'], ['board']];
      return [
        ['contacts', 'list'],
        ['contacts', 'detail', id],
        ['contacts', 'duplicates'],
        ['companies', 'contacts'],
      ];
    case 'company':
      return [
        ['companies', 'list'],
        ['companies', 'detail', id],
        ['contacts', 'list'],
      ];
    case 'activity':
      return [
        ['contacts', 'activities'],
        ['companies', 'activities'],
        ['contacts', 'detail'],
      ];
    case 'task':
      return [['tasks']];
    case 'workflow':
      if (event.type.startsWith('workflow.run_'))
        return [
          ['workflows', 'runs'],
          ['workflows', 'run', id],
        ];
      if (event.type.startsWith('workflow.rule_'))
        return [
          ['workflows', 'list'],
          ['workflows', 'detail', id],
        ];
      if (event.type.startsWith('workflow.webhook_')) return [['webhooks']];
      if (event.type.startsWith('workflow.form_')) return [['forms']];
      return [];
    case 'ticket':
      // Every ticket event carries the ticket after the change: its queues, its page and its conversation.
      return [
        ['tickets', 'list'],
        ['tickets', 'detail', id],
        ['tickets', 'comments', id],
      ];
    case 'sla_policy':
    case 'business_calendar':
      // Open tickets are recomputed under the changed policy or calendar.
      return [[domain === 'sla_policy' ? 'sla-policies' : 'business-calendars'], ['tickets']];
    case 'macro':
      return [['macros']];
    case 'ticket_agent':
      return [['support-agents']];
    case 'ticket_group':
      return [['support-groups']];
    default:
      return [];
  }
}

/** Parses the data of one SSE message; undefined for anything that is not an event object. */
export function parseLiveEvent(type: string, data: string): LiveEvent | undefined {
  try {
    const value = JSON.parse(data) as Partial<LiveEvent>;
    if (!value || typeof value !== 'object' || typeof value.aggregateId !== 'string') return undefined;
    return { ...(value as LiveEvent), type: typeof value.type === 'string' ? value.type : type };
  } catch {
    return undefined;
  }
}

interface Versioned {
  id?: unknown;
  version?: unknown;
}

function recordsIn(data: unknown): Versioned[] {
  if (!data || typeof data !== 'object') return [];
  const value = data as { columns?: unknown; pages?: unknown; data?: unknown; id?: unknown };
  if (Array.isArray(value.columns))
    return value.columns.flatMap((c) => ((c as { deals?: unknown }).deals as Versioned[] | undefined) ?? []);
  if (Array.isArray(value.pages)) return value.pages.flatMap((p) => recordsIn(p));
  if (Array.isArray(value.data)) return value.data as Versioned[];
  if (Array.isArray(data)) return data as Versioned[];
  return typeof value.id === 'string' ? [value as Versioned] : [];
}

/**
 * Records in a query's data (a board, a list page, pages of an infinite list, or one record) that are older than
 * a version a live event announced: the read model had not caught up when the query refetched.
 */
export function staleRecords(data: unknown, announced: ReadonlyMap<string, number>): string[] {
  if (announced.size === 0) return [];
  return recordsIn(data)
    .filter((r) => typeof r.id === 'string' && typeof r.version === 'number')
    .filter((r) => (announced.get(r.id as string) ?? 0) > (r.version as number))
    .map((r) => r.id as string);
}
