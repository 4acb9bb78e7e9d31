// Business calendars and SLA policies: their validation (400 naming the field) and which policy applies to a
// ticket (the first enabled one, in order, whose conditions match).
import type { FieldViolation } from '@crm/service-kit';
import {
  isKnownTimeZone,
  parseClock,
  type CalendarDefinition,
  type Holiday,
  type WorkingInterval,
} from './business-time';
import {
  CHANNELS,
  isOneOf,
  METRICS,
  PRIORITIES,
  STATUSES,
  TICKET_TYPES,
  type Priority,
  type SlaMetric,
  type TicketStatus,
} from './ticket-values';

export interface CalendarInput {
  name: string;
  timeZone: string;
  hours: WorkingInterval[];
  holidays: Holiday[];
}

export interface SlaTarget {
  priority: Priority;
  metric: SlaMetric;
  targetSeconds: number;
  businessHours: boolean;
}

export interface SlaConditions {
  priorities: string[];
  groupIds: string[];
  channels: string[];
  types: string[];
  tags: string[];
}

export interface SlaPolicyInput {
  name: string;
  position: number;
  conditions: SlaConditions;
  calendarId: string;
  targets: SlaTarget[];
  pauseStatuses: TicketStatus[];
  fulfilStatuses: TicketStatus[];
  warningPercent: number;
  enabled: boolean;
}

export interface SlaPolicyDefinition extends SlaPolicyInput {
  id: string;
}

export const DEFAULT_PAUSE_STATUSES: TicketStatus[] = ['pending', 'on_hold'];
export const DEFAULT_FULFIL_STATUSES: TicketStatus[] = ['solved', 'closed'];
export const DEFAULT_WARNING_PERCENT = 75;
const MAX_TARGET_SECONDS = 366 * 86_400;

export function calendarViolations(input: CalendarInput): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (!input.name.trim()) violations.push({ field: 'name', description: 'is required' });
  if (!isKnownTimeZone(input.timeZone))
    violations.push({ field: 'timeZone', description: `"${input.timeZone}" is not an IANA time zone` });
  if (input.hours.length === 0) violations.push({ field: 'hours', description: 'needs at least one working interval' });
  input.hours.forEach((interval, i) => {
    const start = parseClock(interval.start);
    const end = parseClock(interval.end);
    if (!Number.isInteger(interval.weekday) || interval.weekday < 1 || interval.weekday > 7)
      violations.push({ field: `hours[${i}].weekday`, description: 'must be 1 (Monday) to 7 (Sunday)' });
    if (start === undefined || start === 24 * 60)
      violations.push({ field: `hours[${i}].start`, description: 'must be HH:MM, 00:00 to 23:59' });
    if (end === undefined) violations.push({ field: `hours[${i}].end`, description: 'must be HH:MM, up to 24:00' });
    else if (start !== undefined && end <= start)
      violations.push({ field: `hours[${i}].end`, description: 'must be after start' });
  });
  if (violations.length === 0) {
    input.hours.forEach((interval, i) => {
      const other = input.hours.findIndex((o, j) => j < i && o.weekday === interval.weekday && overlaps(o, interval));
      if (other >= 0)
        violations.push({ field: `hours[${i}]`, description: `overlaps hours[${other}] on the same weekday` });
    });
  }
  input.holidays.forEach((holiday, i) => {
    if (!holiday.name.trim()) violations.push({ field: `holidays[${i}].name`, description: 'is required' });
    const valid = holiday.yearly ? isMonthDay(holiday.date) : isIsoDate(holiday.date);
    if (!valid)
      violations.push({
        field: `holidays[${i}].date`,
        description: holiday.yearly ? 'must be MM-DD for a yearly holiday' : 'must be YYYY-MM-DD',
      });
  });
  return violations;
}

function overlaps(a: WorkingInterval, b: WorkingInterval): boolean {
  const [as, ae, bs, be] = [a.start, a.end, b.start, b.end].map((t) => parseClock(t) ?? 0) as [
    number,
    number,
    number,
    number,
  ];
  return as < be && bs < ae;
}

function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function isMonthDay(text: string): boolean {
  // 2024 is a leap year, so 02-29 is accepted.
  return /^\d{2}-\d{2}$/.test(text) && isIsoDate(`2024-${text}`);
}

export function toCalendarDefinition(
  input: Pick<CalendarInput, 'timeZone' | 'hours' | 'holidays'>,
): CalendarDefinition {
  return { timeZone: input.timeZone, hours: input.hours, holidays: input.holidays };
}

export function policyViolations(input: SlaPolicyInput): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (!input.name.trim()) violations.push({ field: 'name', description: 'is required' });
  if (input.targets.length === 0) violations.push({ field: 'targets', description: 'needs at least one target' });
  const seen = new Set<string>();
  input.targets.forEach((target, i) => {
    if (!isOneOf(PRIORITIES, target.priority))
      violations.push({ field: `targets[${i}].priority`, description: `must be one of ${PRIORITIES.join(', ')}` });
    if (!isOneOf(METRICS, target.metric))
      violations.push({ field: `targets[${i}].metric`, description: `must be one of ${METRICS.join(', ')}` });
    if (
      !Number.isInteger(target.targetSeconds) ||
      target.targetSeconds < 1 ||
      target.targetSeconds > MAX_TARGET_SECONDS
    )
      violations.push({ field: `targets[${i}].targetSeconds`, description: `must be 1..${MAX_TARGET_SECONDS}` });
    const key = `${target.priority}/${target.metric}`;
    if (seen.has(key))
      violations.push({
        field: `targets[${i}]`,
        description: `a second ${target.metric} target for ${target.priority}`,
      });
    seen.add(key);
  });
  if (input.targets.some((t) => t.businessHours) && !input.calendarId)
    violations.push({ field: 'calendarId', description: 'is required when a target counts business hours' });
  const listCheck = (field: string, values: readonly string[], allowed: readonly string[]) =>
    values.forEach((value, i) => {
      if (!allowed.includes(value))
        violations.push({ field: `${field}[${i}]`, description: `must be one of ${allowed.join(', ')}` });
    });
  listCheck('conditions.priorities', input.conditions.priorities, PRIORITIES);
  listCheck('conditions.channels', input.conditions.channels, CHANNELS);
  listCheck('conditions.types', input.conditions.types, TICKET_TYPES);
  listCheck('pauseStatuses', input.pauseStatuses, ['new', 'open', 'pending', 'on_hold']);
  listCheck('fulfilStatuses', input.fulfilStatuses, STATUSES);
  const clash = input.pauseStatuses.find((s) => input.fulfilStatuses.includes(s));
  if (clash)
    violations.push({ field: 'fulfilStatuses', description: `"${clash}" cannot both pause and fulfil the clocks` });
  if (!Number.isInteger(input.warningPercent) || input.warningPercent < 0 || input.warningPercent > 99)
    violations.push({ field: 'warningPercent', description: 'must be 0 (no warning) to 99' });
  return violations;
}

/** Defaults for what a request left empty (proto3 cannot tell empty from absent). */
export function withPolicyDefaults(input: SlaPolicyInput): SlaPolicyInput {
  return {
    ...input,
    pauseStatuses: input.pauseStatuses.length > 0 ? input.pauseStatuses : DEFAULT_PAUSE_STATUSES,
    fulfilStatuses: input.fulfilStatuses.length > 0 ? input.fulfilStatuses : DEFAULT_FULFIL_STATUSES,
  };
}

export interface PolicySubject {
  priority: string;
  groupId: string;
  channel: string;
  type: string;
  tags: readonly string[];
}

export function policyMatches(policy: SlaPolicyDefinition, ticket: PolicySubject): boolean {
  const c = policy.conditions;
  const any = (list: readonly string[], value: string) => list.length === 0 || list.includes(value);
  return (
    policy.enabled &&
    any(c.priorities, ticket.priority) &&
    any(c.groupIds, ticket.groupId) &&
    any(c.channels, ticket.channel) &&
    any(c.types, ticket.type) &&
    (c.tags.length === 0 || c.tags.some((tag) => ticket.tags.includes(tag)))
  );
}

/** The first enabled policy, by position (then id), whose conditions match. */
export function selectPolicy(
  policies: readonly SlaPolicyDefinition[],
  ticket: PolicySubject,
): SlaPolicyDefinition | undefined {
  return [...policies]
    .sort((a, b) => a.position - b.position || a.id.localeCompare(b.id))
    .find((policy) => policyMatches(policy, ticket));
}
