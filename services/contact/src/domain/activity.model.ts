// Activities: the interaction history of a contact. Validation of what a client logs.
import { invalidArgument, type FieldViolation } from '@crm/service-kit';
import { cleanText } from './normalize';

export const ACTIVITY_TYPES = ['note', 'call', 'email', 'meeting'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const CALL_OUTCOMES = ['connected', 'no_answer', 'left_voicemail', 'busy', 'wrong_number'] as const;

export interface CallDetails {
  direction: Direction;
  durationSeconds: number;
  outcome: string;
}

export interface EmailDetails {
  direction: Direction;
  from: string;
  to: string[];
  cc: string[];
}

export interface MeetingDetails {
  startAt: Date;
  endAt: Date;
  attendees: string[];
  location: string;
}

export interface ActivityFields {
  type: ActivityType;
  contactId: string;
  companyId: string;
  dealId: string;
  ticketId: string;
  subject: string;
  body: string;
  occurredAt: Date;
  call: CallDetails | null;
  email: EmailDetails | null;
  meeting: MeetingDetails | null;
}

export interface ActivityInputData {
  type: string;
  contactId: string;
  companyId: string;
  dealId: string;
  ticketId: string;
  subject: string;
  body: string;
  occurredAt: Date | undefined;
  call: { direction: string; durationSeconds: number; outcome: string } | undefined;
  email: { direction: string; from: string; to: string[]; cc: string[] } | undefined;
  meeting: { startAt: Date | undefined; endAt: Date | undefined; attendees: string[]; location: string } | undefined;
}

const MAX_BODY = 100_000;

export function validateActivity(input: ActivityInputData, now: Date): ActivityFields {
  const violations: FieldViolation[] = [];
  const type = (ACTIVITY_TYPES as readonly string[]).includes(input.type) ? (input.type as ActivityType) : undefined;
  if (!type) violations.push({ field: 'type', description: `must be one of: ${ACTIVITY_TYPES.join(', ')}` });
  if (input.contactId.trim() === '') violations.push({ field: 'contactId', description: 'is required' });
  if (input.body.length > MAX_BODY)
    violations.push({ field: 'body', description: `must be at most ${MAX_BODY} characters` });
  if (type === 'note' && input.body.trim() === '')
    violations.push({ field: 'body', description: 'is required for a note' });
  for (const kind of ['call', 'email', 'meeting'] as const) {
    if (input[kind] && type !== kind)
      violations.push({ field: kind, description: `is only allowed on a ${kind} activity` });
  }
  const fields: ActivityFields = {
    type: type ?? 'note',
    contactId: input.contactId.trim(),
    companyId: input.companyId.trim(),
    dealId: input.dealId.trim(),
    ticketId: input.ticketId.trim(),
    subject: cleanText(input.subject).slice(0, 500),
    body: input.body,
    occurredAt: input.occurredAt ?? now,
    call: type === 'call' ? call(input.call, violations) : null,
    email: type === 'email' ? email(input.email, violations) : null,
    meeting: type === 'meeting' ? meeting(input.meeting, violations) : null,
  };
  if (fields.meeting && !input.occurredAt) fields.occurredAt = fields.meeting.startAt;
  if (violations.length > 0) throw invalidArgument(violations);
  return fields;
}

function direction(raw: string, field: string, violations: FieldViolation[]): Direction {
  if ((DIRECTIONS as readonly string[]).includes(raw)) return raw as Direction;
  violations.push({ field, description: 'must be inbound or outbound' });
  return 'outbound';
}

function call(raw: ActivityInputData['call'], violations: FieldViolation[]): CallDetails {
  if (!raw)
    return (
      violations.push({ field: 'call', description: 'is required for a call' }),
      { direction: 'outbound', durationSeconds: 0, outcome: '' }
    );
  if (!Number.isInteger(raw.durationSeconds) || raw.durationSeconds < 0)
    violations.push({ field: 'call.durationSeconds', description: 'must be a whole number of seconds, 0 or more' });
  if (raw.outcome !== '' && !(CALL_OUTCOMES as readonly string[]).includes(raw.outcome))
    violations.push({ field: 'call.outcome', description: `must be one of: ${CALL_OUTCOMES.join(', ')}` });
  return {
    direction: direction(raw.direction, 'call.direction', violations),
    durationSeconds: raw.durationSeconds,
    outcome: raw.outcome,
  };
}

function email(raw: ActivityInputData['email'], violations: FieldViolation[]): EmailDetails {
  if (!raw)
    return (
      violations.push({ field: 'email', description: 'is required for a logged email' }),
      { direction: 'outbound', from: '', to: [], cc: [] }
    );
  return {
    direction: direction(raw.direction, 'email.direction', violations),
    from: raw.from.trim().toLowerCase(),
    to: raw.to.map((t) => t.trim().toLowerCase()),
    cc: raw.cc.map((t) => t.trim().toLowerCase()),
  };
}

function meeting(raw: ActivityInputData['meeting'], violations: FieldViolation[]): MeetingDetails {
  const startAt = raw?.startAt;
  const endAt = raw?.endAt;
  if (!raw || !startAt || !endAt) {
    violations.push({ field: 'meeting', description: 'needs a start and an end' });
    return { startAt: new Date(0), endAt: new Date(0), attendees: [], location: '' };
  }
  if (endAt.getTime() < startAt.getTime())
    violations.push({ field: 'meeting.endAt', description: 'must not be before the start' });
  return {
    startAt,
    endAt,
    attendees: raw.attendees.map(cleanText).filter((a) => a),
    location: cleanText(raw.location),
  };
}
