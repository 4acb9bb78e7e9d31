// Scores how likely two contacts are the same person. Pure: the store finds candidates by shared keys and name,
// this decides the order and the reasons.
import { foldText } from './normalize';

export type DuplicateReason = 'same_email' | 'same_phone' | 'same_name_same_company_domain' | 'similar_name';

export interface DuplicateSubject {
  id: string;
  firstName: string;
  lastName: string;
  emails: ReadonlyArray<{ address: string }>;
  phones: ReadonlyArray<{ number: string }>;
  companyDomain: string;
}

export interface DuplicateScore {
  score: number;
  reasons: DuplicateReason[];
}

const WEIGHT: Record<DuplicateReason, number> = {
  same_email: 0.95,
  same_phone: 0.85,
  same_name_same_company_domain: 0.8,
  similar_name: 0.5,
};

/** Folded "first last", the key same-name candidates are looked up by. */
export function nameKey(person: { firstName: string; lastName: string }): string {
  return foldText(`${person.firstName} ${person.lastName}`)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function scoreDuplicate(subject: DuplicateSubject, candidate: DuplicateSubject): DuplicateScore {
  const reasons: DuplicateReason[] = [];
  const emails = new Set(subject.emails.map((e) => e.address));
  if (candidate.emails.some((e) => emails.has(e.address))) reasons.push('same_email');
  const phones = new Set(subject.phones.map((p) => p.number));
  if (candidate.phones.some((p) => phones.has(p.number))) reasons.push('same_phone');
  const a = nameKey(subject);
  const b = nameKey(candidate);
  if (a !== '' && a === b && subject.companyDomain !== '' && subject.companyDomain === candidate.companyDomain)
    reasons.push('same_name_same_company_domain');
  else if (a !== '' && b !== '' && nameSimilarity(a, b) >= 0.8) reasons.push('similar_name');
  if (reasons.length === 0) return { score: 0, reasons };
  // Independent signals add up: 1 - Π(1 - w).
  const score = 1 - reasons.reduce((rest, reason) => rest * (1 - WEIGHT[reason]), 1);
  return { score: Math.round(score * 1000) / 1000, reasons };
}

/** Jaro-Winkler similarity of two folded names, 0..1. */
export function nameSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(b.length, i + window + 1); j++) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / a.length + m / b.length + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && a[prefix] !== undefined && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}
