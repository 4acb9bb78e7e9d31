// A deal and the checks on what users write into one. Pure: no I/O.
import { invalidFields } from './invalid-fields';
import type { FieldViolation } from '@crm/service-kit';
import { isCalendarDate, utcDateOf } from './calendar-date';
import { moneyViolations, type Money } from './money';

export type DealStatus = 'open' | 'won' | 'lost';

/** What a deal shows of its contact: kept in the read model from the contact service's events, not on the deal. */
export interface ContactSummary {
  id: string;
  displayName: string;
  email: string;
  erased: boolean;
  /** aggregate_version of the contact the summary was taken from; older events never overwrite it. */
  sourceVersion: number;
}

export interface CompanySummary {
  id: string;
  name: string;
  domain: string;
  sourceVersion: number;
}

export interface StageVisit {
  stageId: string;
  enteredAt: Date;
  leftAt: Date | null;
  by: string;
}

/** What a deal holds besides the fields every tenant record has. */
export interface DealFields {
  title: string;
  amountMinor: number;
  currency: string;
  pipelineId: string;
  stageId: string;
  status: DealStatus;
  contactId: string;
  companyId: string;
  /** ISO date or "". */
  expectedCloseDate: string;
  nextStep: string;
  customFields: Record<string, unknown>;
  lostReason: string;
  closedAt: Date | null;
  rank: string;
  stageHistory: StageVisit[];
  /** The date the deal forecasts on: when it closed, else its expected close date; "" for none. */
  forecastDate: string;
  /** Its id in the system it was imported from (unique per tenant); "" for a deal made here. */
  externalId: string;
}

export const MAX_TITLE_LENGTH = 200;
export const MAX_TEXT_LENGTH = 1000;

export function titleViolations(title: string, field = 'title'): FieldViolation[] {
  const trimmed = title.trim();
  if (!trimmed) return [{ field, description: 'is required' }];
  return trimmed.length > MAX_TITLE_LENGTH
    ? [{ field, description: `must be at most ${MAX_TITLE_LENGTH} characters` }]
    : [];
}

export function checkTitle(title: string, field = 'title'): string {
  const violations = titleViolations(title, field);
  if (violations.length > 0) throw invalidFields(violations);
  return title.trim();
}

export function textViolations(value: string, field: string, max = MAX_TEXT_LENGTH): FieldViolation[] {
  return value.length > max ? [{ field, description: `must be at most ${max} characters` }] : [];
}

export function closeDateViolations(value: string, field = 'expectedCloseDate'): FieldViolation[] {
  return value === '' || isCalendarDate(value)
    ? []
    : [{ field, description: 'must be a calendar date such as 2025-03-31' }];
}

export function checkAmount(money: Money | undefined, field = 'amount'): Money {
  const violations = moneyViolations(money, field);
  if (violations.length > 0 || !money) throw invalidFields(violations);
  return { amountMinor: money.amountMinor, currency: money.currency };
}

export function forecastDateOf(deal: Pick<DealFields, 'status' | 'closedAt' | 'expectedCloseDate'>): string {
  if (deal.status !== 'open') return deal.closedAt ? utcDateOf(deal.closedAt) : '';
  return deal.expectedCloseDate;
}
