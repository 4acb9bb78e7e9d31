// The agent's queues (the API's named views) and the filters on top of them, as the list screen turns them into
// one query of GET /api/v1/tickets.

export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TICKET_TYPES = ['question', 'incident', 'problem', 'task'] as const;
export const TICKET_CHANNELS = ['web_form', 'email', 'api', 'phone'] as const;
/** Statuses an agent may set by hand (closed follows solved on its own). */
export const SETTABLE_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved'] as const;

export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export type QueueView = 'my_open' | 'group_open' | 'unassigned' | 'breaching' | 'pending' | 'solved' | 'all_open';

export interface QueueDefinition {
  view: QueueView;
  label: string;
  /** The order the API gives this queue unless the user picks another. */
  defaultOrder: TicketOrder;
}

export type TicketOrder = 'updated_desc' | 'created_desc' | 'created_asc' | 'sla_due_asc' | 'priority_desc';

export const QUEUES: readonly QueueDefinition[] = [
  { view: 'my_open', label: 'Mine', defaultOrder: 'sla_due_asc' },
  { view: 'group_open', label: 'My groups', defaultOrder: 'sla_due_asc' },
  { view: 'unassigned', label: 'Unassigned', defaultOrder: 'sla_due_asc' },
  { view: 'breaching', label: 'Breaching soonest', defaultOrder: 'sla_due_asc' },
  { view: 'pending', label: 'Pending', defaultOrder: 'updated_desc' },
  { view: 'solved', label: 'Solved', defaultOrder: 'updated_desc' },
  { view: 'all_open', label: 'All open', defaultOrder: 'updated_desc' },
];

export const ORDER_LABELS: Record<TicketOrder, string> = {
  sla_due_asc: 'SLA due soonest',
  priority_desc: 'Priority, highest first',
  updated_desc: 'Recently updated',
  created_desc: 'Newest',
  created_asc: 'Oldest',
};

export function queueOf(view: string): QueueDefinition {
  return QUEUES.find((q) => q.view === view) ?? QUEUES[0]!;
}

/** The list screen's state, as kept in the URL (strings; empty = not set). */
export interface QueueState {
  view: string;
  q: string;
  status: string;
  priority: string;
  groupId: string;
  assignee: string;
  tag: string;
  order: string;
}

export interface TicketListQuery {
  view?: QueueView;
  q?: string;
  status?: string;
  priority?: string;
  groupId?: string;
  assigneeId?: string;
  tag?: string;
  orderBy?: TicketOrder;
}

const csvOf = (value: string, allowed?: readonly string[]): string | undefined => {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && (!allowed || allowed.includes(s)));
  return parts.length > 0 ? [...new Set(parts)].join(',') : undefined;
};

/**
 * The API query for a screen state. A search (q) looks across every queue; a view's default order applies unless
 * the user picked one; "breaching" is ordered by the API itself (due soonest), so no order is sent with it.
 */
export function ticketListQuery(state: QueueState): TicketListQuery {
  const out: TicketListQuery = {};
  const q = state.q.trim();
  if (q) out.q = q;
  else {
    const queue = queueOf(state.view);
    out.view = queue.view;
    if (queue.view !== 'breaching') {
      const order = (Object.keys(ORDER_LABELS) as TicketOrder[]).find((o) => o === state.order);
      out.orderBy = order ?? queue.defaultOrder;
    }
  }
  const status = csvOf(state.status, TICKET_STATUSES);
  if (status) out.status = status;
  const priority = csvOf(state.priority, TICKET_PRIORITIES);
  if (priority) out.priority = priority;
  if (state.groupId.trim()) out.groupId = state.groupId.trim();
  if (state.assignee.trim()) out.assigneeId = state.assignee.trim();
  const tag = csvOf(state.tag);
  if (tag) out.tag = tag;
  return out;
}

export const PRIORITY_BADGE: Record<string, string> = {
  urgent: 'badge-danger',
  high: 'badge-warning',
  normal: '',
  low: '',
};

export const STATUS_BADGE: Record<string, string> = {
  new: 'badge-accent',
  open: 'badge-accent',
  pending: 'badge-warning',
  on_hold: '',
  solved: 'badge-success',
  closed: '',
};
