// Canonical forms of what people type: emails, phones, names, domains. Pure; the store keys and search tokens
// are built from these, so two spellings of the same thing always meet.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

const emailSchema = z.email();
export const MAX_EMAIL_LENGTH = 254;

export type Normalized<T> = { ok: true; value: T } | { ok: false; problem: string };

export function normalizeEmail(raw: string): Normalized<string> {
  const value = raw.trim().toLowerCase();
  if (value === '') return { ok: false, problem: 'is required' };
  if (value.length > MAX_EMAIL_LENGTH) return { ok: false, problem: `must be at most ${MAX_EMAIL_LENGTH} characters` };
  return emailSchema.safeParse(value).success
    ? { ok: true, value }
    : { ok: false, problem: 'must be a valid email address' };
}

/** E.164; numbers without +country are read in the tenant's default region. */
export function normalizePhone(raw: string, defaultRegion: CountryCode | undefined): Normalized<string> {
  const value = raw.trim();
  if (value === '') return { ok: false, problem: 'is required' };
  const phone = parsePhoneNumberFromString(value, defaultRegion);
  if (!phone || !phone.isValid()) {
    return {
      ok: false,
      problem: defaultRegion
        ? `must be a valid phone number (numbers without +country are read as ${defaultRegion})`
        : 'must be a valid phone number in international format, e.g. +14155550100',
    };
  }
  if (phone.ext) return { ok: false, problem: 'must not include an extension' };
  return { ok: true, value: phone.number };
}

/** The national significant number of an E.164 number ("+14155550100" → "4155550100"), for search. */
export function nationalDigits(e164: string): string {
  const phone = parsePhoneNumberFromString(e164);
  return phone ? String(phone.nationalNumber) : e164.replace(/\D/g, '');
}

// Letters that Unicode does not decompose into a base letter plus a mark.
const SPECIAL_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/** Lower case without accents: "Zoë Ørsted" → "zoe orsted". */
export function foldText(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (ch) => SPECIAL_FOLDS[ch] ?? ch);
}

/** Words of a folded text: letters and digits only. */
export function words(raw: string): string[] {
  return foldText(raw)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

const HOST_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * A company domain from a bare domain, a website URL or an email address: lower case, no scheme, path, port or
 * leading "www.". Internationalised names go through the URL parser's punycode.
 */
export function normalizeDomain(raw: string): Normalized<string> {
  const input = raw.trim().toLowerCase();
  if (input === '') return { ok: false, problem: 'is required' };
  const fromEmail = input.includes('@') && !input.includes('/') ? input.slice(input.lastIndexOf('@') + 1) : input;
  let host: string;
  try {
    host = new URL(/^[a-z][a-z0-9+.-]*:\/\//.test(fromEmail) ? fromEmail : `http://${fromEmail}`).hostname;
  } catch {
    return { ok: false, problem: 'must be a domain, a website or an email address' };
  }
  host = host.replace(/^www\./, '').replace(/\.$/, '');
  return HOST_PATTERN.test(host)
    ? { ok: true, value: host }
    : { ok: false, problem: 'must be a domain, a website or an email address' };
}

/** A website as a canonical https URL, or a problem. */
export function normalizeWebsite(raw: string): Normalized<string> {
  const input = raw.trim();
  if (input === '') return { ok: false, problem: 'is required' };
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, problem: 'must use http or https' };
    return { ok: true, value: url.href };
  } catch {
    return { ok: false, problem: 'must be a valid website URL' };
  }
}

/** Trimmed, inner whitespace collapsed. */
export function cleanText(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ');
}

/** Tags compare case-insensitively; stored trimmed, lower case, unique, in input order. */
export function normalizeTags(raw: readonly string[]): string[] {
  return [...new Set(raw.map((t) => cleanText(t).toLowerCase()).filter((t) => t.length > 0))];
}
