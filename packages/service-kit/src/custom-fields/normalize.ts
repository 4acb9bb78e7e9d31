// Per-type checks that turn a client's JSON value into the one canonical stored form.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import {
  DEFAULT_TEXT_MAX_LENGTH,
  type CustomFieldDefinition,
  type CustomFieldOption,
  type CustomFieldValue,
} from './definition';
import { listForHumans, quoteList } from './violations';

export const MAX_URL_LENGTH = 2048;
/** RFC 5321 limit for a forward path. */
export const MAX_EMAIL_LENGTH = 254;

export interface NormalizeContext {
  /** Region used for phone numbers written without a +country prefix, e.g. "US". */
  defaultRegion?: CountryCode;
  /** The value stored before this write; an archived option it already holds may stay. */
  previous?: CustomFieldValue;
}

/**
 * `value: null` means the input is empty ("", whitespace, []): there is one way to say "no value", and the
 * caller treats it as clearing the field. `problems` are human sentences about the field, e.g. "must be a number".
 */
export type NormalizeResult = { ok: true; value: CustomFieldValue | null } | { ok: false; problems: string[] };

const EMPTY: NormalizeResult = { ok: true, value: null };
const emailSchema = z.email();
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function accept(value: CustomFieldValue): NormalizeResult {
  return { ok: true, value };
}

function reject(...problems: string[]): NormalizeResult {
  return { ok: false, problems };
}

export function normalizeCustomFieldValue(
  definition: CustomFieldDefinition,
  raw: unknown,
  context: NormalizeContext = {},
): NormalizeResult {
  switch (definition.type) {
    case 'text':
      return normalizeText(raw, definition.maxLength ?? DEFAULT_TEXT_MAX_LENGTH);
    case 'number':
      return normalizeNumber(raw, definition);
    case 'date':
      return normalizeDate(raw);
    case 'boolean':
      return typeof raw === 'boolean' ? accept(raw) : reject('must be true or false');
    case 'single_select':
      return normalizeSingleSelect(raw, definition.options ?? [], context.previous);
    case 'multi_select':
      return normalizeMultiSelect(raw, definition.options ?? [], context.previous);
    case 'url':
      return normalizeUrl(raw);
    case 'email':
      return normalizeEmail(raw);
    case 'phone':
      return normalizePhone(raw, context.defaultRegion);
  }
}

function normalizeText(raw: unknown, maxLength: number): NormalizeResult {
  if (typeof raw !== 'string') return reject('must be a string');
  const value = raw.trim();
  if (value === '') return EMPTY;
  // UTF-16 code units, the same measure as JS and MongoDB string length checks.
  return value.length > maxLength ? reject(`must be at most ${maxLength} characters`) : accept(value);
}

function normalizeNumber(raw: unknown, definition: CustomFieldDefinition): NormalizeResult {
  // Numeric strings are rejected: accepting "12" would hide client bugs and make "1e3" vs "1000" ambiguous.
  if (typeof raw !== 'number' || !Number.isFinite(raw)) return reject('must be a number');
  const problems: string[] = [];
  if (definition.integer && !Number.isInteger(raw)) problems.push('must be a whole number');
  if (definition.min !== undefined && raw < definition.min) problems.push(`must be at least ${definition.min}`);
  if (definition.max !== undefined && raw > definition.max) problems.push(`must be at most ${definition.max}`);
  return problems.length > 0 ? reject(...problems) : accept(raw);
}

function normalizeDate(raw: unknown): NormalizeResult {
  const format = 'must be a date in YYYY-MM-DD format';
  if (typeof raw !== 'string') return reject(format);
  const value = raw.trim();
  if (value === '') return EMPTY;
  const match = DATE_PATTERN.exec(value);
  if (!match) return reject(format);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Checked by hand rather than with Date, which silently rolls 2023-02-30 over to March 2.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return reject(`must be a real calendar date ("${value}" does not exist)`);
  }
  // Stored as the string itself: a date has no time zone, and "YYYY-MM-DD" sorts correctly as text.
  return accept(value);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function activeValues(options: readonly CustomFieldOption[]): string {
  return listForHumans(options.filter((option) => !option.archived).map((option) => option.value));
}

function normalizeSingleSelect(
  raw: unknown,
  options: readonly CustomFieldOption[],
  previous: CustomFieldValue | undefined,
): NormalizeResult {
  if (typeof raw !== 'string') return reject(`must be one of: ${activeValues(options)}`);
  const value = raw.trim();
  if (value === '') return EMPTY;
  const option = options.find((candidate) => candidate.value === value);
  if (!option) return reject(`must be one of: ${activeValues(options)}`);
  if (option.archived && previous !== value) return reject(`option "${value}" is archived and can no longer be chosen`);
  return accept(value);
}

function normalizeMultiSelect(
  raw: unknown,
  options: readonly CustomFieldOption[],
  previous: CustomFieldValue | undefined,
): NormalizeResult {
  if (!Array.isArray(raw)) return reject('must be a list of option values');
  if (!raw.every((item): item is string => typeof item === 'string')) {
    return reject('must be a list of option values (strings only)');
  }
  const alreadyStored = new Set(Array.isArray(previous) ? previous : []);
  const byValue = new Map(options.map((option) => [option.value, option]));
  // Order-preserving dedupe: the client's order is meaningful (e.g. primary interest first).
  const values = [...new Set(raw.map((item) => item.trim()))];
  const unknown = values.filter((value) => !byValue.has(value));
  const archived = values.filter((value) => byValue.get(value)?.archived && !alreadyStored.has(value));

  const problems: string[] = [];
  if (unknown.length > 0) {
    problems.push(
      `contains unknown ${unknown.length === 1 ? 'option' : 'options'} ${quoteList(unknown)}; each value must be one of: ${activeValues(options)}`,
    );
  }
  if (archived.length > 0) {
    problems.push(
      archived.length === 1
        ? `option ${quoteList(archived)} is archived and can no longer be chosen`
        : `options ${quoteList(archived)} are archived and can no longer be chosen`,
    );
  }
  if (problems.length > 0) return reject(...problems);
  return values.length === 0 ? EMPTY : accept(values);
}

function normalizeUrl(raw: unknown): NormalizeResult {
  const invalid = 'must be a valid http or https URL, e.g. https://example.com';
  if (typeof raw !== 'string') return reject(invalid);
  const value = raw.trim();
  if (value === '') return EMPTY;
  if (value.length > MAX_URL_LENGTH) return reject(`must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return reject(invalid);
  }
  // Other schemes (javascript:, data:, file:) are an XSS or phishing vector once a UI renders the link.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject('must use http or https');
  return accept(url.href);
}

function normalizeEmail(raw: unknown): NormalizeResult {
  if (typeof raw !== 'string') return reject('must be an email address');
  // Lower-cased so that equality and de-duplication work; virtually no mail server treats the case as meaningful.
  const value = raw.trim().toLowerCase();
  if (value === '') return EMPTY;
  if (value.length > MAX_EMAIL_LENGTH) return reject(`must be at most ${MAX_EMAIL_LENGTH} characters`);
  return emailSchema.safeParse(value).success ? accept(value) : reject('must be a valid email address');
}

function normalizePhone(raw: unknown, defaultRegion: CountryCode | undefined): NormalizeResult {
  if (typeof raw !== 'string') return reject('must be a phone number written as a string');
  const value = raw.trim();
  if (value === '') return EMPTY;
  const phone = parsePhoneNumberFromString(value, defaultRegion);
  if (!phone || !phone.isValid()) {
    return reject(
      defaultRegion
        ? `must be a valid phone number (numbers without a +country code are read as ${defaultRegion})`
        : 'must be a valid phone number in international format, e.g. +14155550100',
    );
  }
  // E.164 has no room for an extension; rejecting beats silently dropping part of what the user typed.
  if (phone.ext) return reject('must not include an extension');
  return accept(phone.number);
}
