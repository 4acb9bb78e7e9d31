// Tickets as records, and the rules of their fields: validation of input (400 naming the field), status changes
// and what they mean for the SLA log. Pure.
import type { CustomFieldValues, FieldViolation, TenantRecord } from '@crm/service-kit';
import type { SlaLogEntry, SlaMarks, TicketSlaState } from './sla-engine';
import {
  CHANNELS,
  isOneOf,
  PRIORITIES,
  STATUSES,
  TICKET_TYPES,
  type Channel,
  type CsatRating,
  type Priority,
  type TicketStatus,
} from './ticket-values';

export interface Csat {
  rating: CsatRating;
  comment: string;
  answeredAt: Date;
  /** The survey token's id, spent by this answer. */
  tokenId: string;
}

/** A ticket record. ownerId is the assignee ('' while unassigned) and teamId the group: visibility follows them. */
export interface TicketRecord extends TenantRecord {
  subject: string;
  description: string;
  requesterContactId: string;
  requesterEmail: string;
  /** Owner of the requester's contact (a sales rep), who may read the ticket; kept from CONTACT events. */
  contactOwnerId: string;
  companyId: string;
  priority: Priority;
  status: TicketStatus;
  type: string;
  tags: string[];
  customFields: CustomFieldValues;
  channel: Channel;
  dealIds: string[];
  mergedInto: string;
  slaLog: SlaLogEntry[];
  slaMarks: SlaMarks;
  sla: TicketSlaState | null;
  firstReplyBusinessSeconds: number;
  resolutionBusinessSeconds: number;
  csat: Csat | null;
  /** The survey token currently valid (issued at the last solve); '' when none. */
  csatTokenId: string;
  commentCount: number;
  firstRepliedAt: Date | null;
  solvedAt: Date | null;
  closedAt: Date | null;
  /** Lower-cased words of subject, description and tags, for the read model's search. */
  searchText: string;
}

/** What a create or update request carries (proto TicketInput), before validation. */
export interface TicketFields {
  subject: string;
  description: string;
  requesterContactId: string;
  requesterEmail: string;
  requesterName: string;
  companyId: string;
  priority: string;
  status: string;
  type: string;
  tags: string[];
  customFields: Record<string, unknown>;
  assigneeId: string;
  groupId: string;
  channel: string;
  dealIds: string[];
}

export const UPDATABLE_PATHS = [
  'subject',
  'description',
  'requester_contact_id',
  'requester_email',
  'company_id',
  'priority',
  'status',
  'type',
  'tags',
  'custom_fields',
  'assignee_id',
  'group_id',
  'channel',
  'deal_ids',
] as const;
export type UpdatablePath = (typeof UPDATABLE_PATHS)[number];

const MAX_TAGS = 50;
const TAG = /^[\p{L}\p{N}][\p{L}\p{N}_.:-]{0,63}$/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Field violations of the values a create or update sets (paths given in camelCase). */
export function ticketFieldViolations(fields: Partial<TicketFields>, creating: boolean): FieldViolation[] {
  const v: FieldViolation[] = [];
  const has = <K extends keyof TicketFields>(key: K) => fields[key] !== undefined;
  if (creating || has('subject')) {
    const subject = (fields.subject ?? '').trim();
    if (!subject) v.push({ field: 'subject', description: 'is required' });
    else if (subject.length > 300) v.push({ field: 'subject', description: 'must be at most 300 characters' });
  }
  if ((fields.description ?? '').length > 65_536)
    v.push({ field: 'description', description: 'must be at most 65536 characters' });
  if (creating && !fields.requesterContactId && !fields.requesterEmail)
    v.push({ field: 'requesterContactId', description: 'a requester is required: a contact id or an email' });
  if (fields.requesterEmail && !EMAIL.test(fields.requesterEmail))
    v.push({ field: 'requesterEmail', description: 'is not an email address' });
  if (fields.priority && !isOneOf(PRIORITIES, fields.priority))
    v.push({ field: 'priority', description: `must be one of ${PRIORITIES.join(', ')}` });
  if (fields.status && !isOneOf(STATUSES, fields.status))
    v.push({ field: 'status', description: `must be one of ${STATUSES.join(', ')}` });
  if (fields.type && !isOneOf(TICKET_TYPES, fields.type))
    v.push({ field: 'type', description: `must be one of ${TICKET_TYPES.join(', ')}` });
  if (fields.channel && !isOneOf(CHANNELS, fields.channel))
    v.push({ field: 'channel', description: `must be one of ${CHANNELS.join(', ')}` });
  const tags = fields.tags ?? [];
  if (tags.length > MAX_TAGS) v.push({ field: 'tags', description: `at most ${MAX_TAGS}` });
  tags.forEach((tag, i) => {
    if (!TAG.test(tag)) v.push({ field: `tags[${i}]`, description: 'must be a word of letters, digits, _ . : -' });
  });
  return v;
}

export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

/** Which status-change events a change publishes besides created/updated. */
export function statusSignal(
  previous: TicketStatus | undefined,
  next: TicketStatus,
): 'solved' | 'closed' | 'reopened' | undefined {
  if (previous === next) return undefined;
  if (next === 'solved') return 'solved';
  if (next === 'closed') return 'closed';
  if (previous === 'solved' || previous === 'closed') return 'reopened';
  return undefined;
}

/** A closed ticket is final: it only changes through merge bookkeeping. */
export function statusChangeViolation(current: TicketStatus, next: TicketStatus): FieldViolation | undefined {
  if (current === 'closed' && next !== 'closed')
    return { field: 'status', description: 'a closed ticket cannot be reopened; create a follow-up ticket' };
  return undefined;
}

/** A public agent reply on a new ticket opens it. */
export function statusAfterAgentReply(current: TicketStatus): TicketStatus {
  return current === 'new' ? 'open' : current;
}

/** A requester reply on a pending or solved ticket opens it again. */
export function statusAfterRequesterReply(current: TicketStatus): TicketStatus {
  return current === 'pending' || current === 'solved' ? 'open' : current;
}

export function searchTextOf(
  ticket: Pick<TicketRecord, 'subject' | 'description' | 'tags' | 'requesterEmail'>,
): string {
  return [ticket.subject, ticket.description.slice(0, 4000), ticket.tags.join(' '), ticket.requesterEmail]
    .join(' ')
    .toLowerCase();
}
