import { HttpProblem } from './problem';

// A record's ETag is its version as a strong entity tag, "<version>": every change bumps the version, so two
// representations with one version are the same record state. If-Match takes that tag, or "*".

export type Precondition = { kind: 'any' } | { kind: 'version'; version: number };

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Undefined when the header is absent; 412 for a tag that can never match a version (weak, or not a number). */
export function parseIfMatch(header: string | undefined): Precondition | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return { kind: 'any' };
  const match = /^"(\d{1,15})"$/.exec(value);
  if (match) return { kind: 'version', version: Number(match[1]) };
  if (value.includes(',')) throw new HttpProblem(400, 'If-Match must carry one entity tag');
  throw new HttpProblem(412, 'If-Match does not match the current version of the record', { type: 'version-mismatch' });
}

export function requirePrecondition(header: string | undefined): Precondition {
  const precondition = parseIfMatch(header);
  if (!precondition) throw new HttpProblem(428, 'This request must carry If-Match with the record\'s ETag (or "*")');
  return precondition;
}
