// The closed vocabularies of tickets, as string-literal unions with their lists for validation.

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof STATUSES)[number];

/** Statuses of tickets still being worked (queues, capacity, auto-assignment counts). */
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold'];

export const TICKET_TYPES = ['question', 'incident', 'problem', 'task'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

export const CHANNELS = ['web_form', 'email', 'api', 'phone'] as const;
export type Channel = (typeof CHANNELS)[number];

export const METRICS = ['first_reply', 'next_reply', 'periodic_update', 'resolution'] as const;
export type SlaMetric = (typeof METRICS)[number];

export const ASSIGNMENT_MODES = ['manual', 'round_robin', 'least_open'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

export const CSAT_RATINGS = ['good', 'bad'] as const;
export type CsatRating = (typeof CSAT_RATINGS)[number];

export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

export const PRIORITY_RANK: Record<Priority, number> = { low: 1, normal: 2, high: 3, urgent: 4 };
