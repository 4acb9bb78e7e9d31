// Type-ahead without a text index: every searchable word is stored with all its prefixes (edge n-grams), so a
// prefix query is an equality match served by the multikey index {tenantId: 1, searchTokens: 1}.
import { foldText, nationalDigits, words } from './normalize';

/** Longer prefixes add storage without narrowing results much. */
export const MAX_PREFIX_LENGTH = 15;
export const MAX_QUERY_TERMS = 4;

export interface SearchableContact {
  firstName: string;
  lastName: string;
  emails: ReadonlyArray<{ address: string }>;
  phones: ReadonlyArray<{ number: string }>;
  companyName: string;
}

export function edgeNgrams(word: string, max = MAX_PREFIX_LENGTH): string[] {
  const grams: string[] = [];
  for (let length = 1; length <= Math.min(word.length, max); length++) grams.push(word.slice(0, length));
  return grams;
}

function emailWords(address: string): string[] {
  const folded = foldText(address);
  const [local = '', domain = ''] = folded.split('@');
  // The whole address, its local part, and its pieces: "ann.lee@x.io" is found by "ann", "lee", "ann.lee@", "x.io".
  return [folded, local, domain, ...words(local), ...words(domain)];
}

function phoneWords(e164: string): string[] {
  const digits = e164.replace(/\D/g, '');
  return [digits, nationalDigits(e164)];
}

/** Every word of a contact a search can start with. */
export function contactWords(contact: SearchableContact): string[] {
  return [
    ...words(contact.firstName),
    ...words(contact.lastName),
    ...contact.emails.flatMap((e) => emailWords(e.address)),
    ...contact.phones.flatMap((p) => phoneWords(p.number)),
    ...words(contact.companyName),
  ].filter((w) => w.length > 0);
}

export function contactSearchTokens(contact: SearchableContact): string[] {
  return [...new Set(contactWords(contact).flatMap((w) => edgeNgrams(w)))];
}

export function companySearchTokens(company: { name: string; domain: string }): string[] {
  return [
    ...new Set(
      [...words(company.name), ...(company.domain ? [company.domain, ...words(company.domain)] : [])].flatMap((w) =>
        edgeNgrams(w),
      ),
    ),
  ];
}

const PHONE_LIKE = /^\+?[\d\s().-]{4,}$/;

/**
 * The terms of a query, each an exact token: phone-like input becomes its digits ("+1 415-555-0100" →
 * "14155550100"), an email-like input stays whole, anything else is split into folded words. Terms are cut to
 * MAX_PREFIX_LENGTH, the longest prefix stored.
 */
export function queryTerms(query: string): string[] {
  const trimmed = query.trim();
  if (trimmed === '') return [];
  let terms: string[];
  if (PHONE_LIKE.test(trimmed)) terms = [trimmed.replace(/\D/g, '')];
  else if (trimmed.includes('@')) terms = [foldText(trimmed).replace(/\s+/g, '')];
  else terms = words(trimmed);
  return [...new Set(terms.map((t) => t.slice(0, MAX_PREFIX_LENGTH)).filter((t) => t.length > 0))].slice(
    0,
    MAX_QUERY_TERMS,
  );
}

type Field = 'name' | 'email' | 'company' | 'phone';
const FIELD_WEIGHT: Record<Field, number> = { name: 1, email: 0.9, phone: 0.85, company: 0.6 };

/**
 * Ranks a hit in 0..1: for each term, the best field it matched (name > email > phone > company), counting a
 * whole-word match above a prefix match; averaged over the terms.
 */
export function scoreContact(contact: SearchableContact, terms: readonly string[]): number {
  if (terms.length === 0) return 0;
  const byField: Array<[Field, string[]]> = [
    ['name', [...words(contact.firstName), ...words(contact.lastName)]],
    ['email', contact.emails.flatMap((e) => emailWords(e.address))],
    ['phone', contact.phones.flatMap((p) => phoneWords(p.number))],
    ['company', words(contact.companyName)],
  ];
  let total = 0;
  for (const term of terms) {
    let best = 0;
    for (const [field, fieldWords] of byField) {
      for (const word of fieldWords) {
        if (!word.startsWith(term)) continue;
        const exactness = word === term ? 1 : 0.7 + 0.3 * (term.length / word.length);
        best = Math.max(best, FIELD_WEIGHT[field] * exactness);
      }
    }
    total += best;
  }
  return Math.round((total / terms.length) * 1000) / 1000;
}
