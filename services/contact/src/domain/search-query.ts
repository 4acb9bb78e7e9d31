// Type-ahead queries: what a person typed, read as phone digits, an email or words. The read model matches them
// (accent folding and prefixes in SQL, domain-free); this module decides what is looked for and ranks the few
// candidates found. Pure.
import { foldText, nationalDigits, words } from './normalize';

/** Shorter terms match too much to be useful; a query with none longer is answered with nothing. */
export const MIN_PREFIX_LENGTH = 2;
export const MAX_QUERY_TERMS = 4;
/** Longer input is cut: no stored word is that long. */
export const MAX_TERM_LENGTH = 64;

export type SearchKind = 'phone' | 'email' | 'words';

export interface SearchQuery {
  kind: SearchKind;
  /** As typed (words are split, not folded: the read model folds them as it folds what it stores). */
  terms: string[];
}

const PHONE_LIKE = /^\+?[\d\s().-]{4,}$/;

/**
 * Phone-like input becomes its digits ("+1 415-555-0100" → "14155550100"), email-like input stays whole (lower
 * case, no spaces), anything else is split into words; terms shorter than MIN_PREFIX_LENGTH are left out.
 */
export function parseSearchQuery(query: string): SearchQuery | undefined {
  const trimmed = query.trim();
  if (trimmed === '') return undefined;
  let kind: SearchKind;
  let terms: string[];
  if (PHONE_LIKE.test(trimmed)) {
    kind = 'phone';
    terms = [trimmed.replace(/\D/g, '')];
  } else if (trimmed.includes('@')) {
    kind = 'email';
    terms = [trimmed.toLowerCase().replace(/\s+/g, '')];
  } else {
    kind = 'words';
    terms = trimmed.split(/[^\p{L}\p{N}]+/u);
  }
  const kept = [
    ...new Set(terms.map((t) => t.slice(0, MAX_TERM_LENGTH)).filter((t) => foldText(t).length >= MIN_PREFIX_LENGTH)),
  ].slice(0, MAX_QUERY_TERMS);
  return kept.length > 0 ? { kind, terms: kept } : undefined;
}

/** The digits a phone number is found by: all of E.164 and the national number ("+14155550100", "4155550100"). */
export function phoneSearchDigits(e164: string): string[] {
  return [...new Set([e164.replace(/\D/g, ''), nationalDigits(e164)])];
}

export interface SearchableContact {
  firstName: string;
  lastName: string;
  emails: ReadonlyArray<{ address: string }>;
  phones: ReadonlyArray<{ number: string }>;
  companyName: string;
}

function emailWords(address: string): string[] {
  const folded = foldText(address);
  const [local = '', domain = ''] = folded.split('@');
  return [folded, domain, ...words(local)];
}

type Field = 'name' | 'email' | 'company' | 'phone';
const FIELD_WEIGHT: Record<Field, number> = { name: 1, email: 0.9, phone: 0.85, company: 0.6 };

/**
 * Ranks a candidate in 0..1: for each term, the best field it prefixes a word of (name > email > phone >
 * company), a whole word above a prefix, a short completion above a long one; averaged over the terms.
 */
export function scoreContact(contact: SearchableContact, query: SearchQuery): number {
  const terms = query.kind === 'words' ? query.terms.map(foldText) : query.terms;
  const byField: Array<[Field, string[]]> = [
    ['name', [...words(contact.firstName), ...words(contact.lastName)]],
    ['email', contact.emails.flatMap((e) => emailWords(e.address))],
    ['phone', contact.phones.flatMap((p) => phoneSearchDigits(p.number))],
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
