// Fractional ranking: string keys that sort between any two others, so moving a card rewrites only that card.
// The algorithm is David Greenspan's "Implementing Fractional Indexing" (as in the CC0 `fractional-indexing`
// package): a variable-length integer part, whose first character encodes its length, and a fraction without
// trailing zeros. Appending at either end grows keys logarithmically; inserting between two keys grows them by
// about one character per halving. Keys compare as plain byte strings, as Mongo sorts strings.

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ZERO = DIGITS[0] as string;
const SMALLEST_INTEGER = `A${ZERO.repeat(26)}`;

export class RankError extends Error {}

/** A key strictly between `before` and `after`; null means the open end. */
export function rankBetween(before: string | null, after: string | null): string {
  if (before !== null) assertValidRank(before);
  if (after !== null) assertValidRank(after);
  if (before !== null && after !== null && before >= after) throw new RankError(`${before} is not before ${after}`);
  if (before === null) return after === null ? `a${ZERO}` : rankBefore(after);
  if (after === null) return rankAfter(before);
  const intA = integerPart(before);
  const intB = integerPart(after);
  if (intA === intB) return intA + midpoint(before.slice(intA.length), after.slice(intB.length));
  const next = incrementInteger(intA);
  if (next === null) throw new RankError('rank space exhausted');
  return next < after ? next : intA + midpoint(before.slice(intA.length), null);
}

/**
 * A key for a card appended to the bottom of a column, made from the clock rather than from the column's last
 * key, so that creating a deal needs no query over the column. The integer part is the time in ms as seven
 * base-62 digits (head "g", valid until 2081), which sorts after every key the board's own moves produce near
 * the start ("a0", "a1", ...); later appends sort after earlier ones, and a random fraction keeps two appends in
 * the same millisecond apart.
 */
export function appendRank(now: Date, random: () => number = Math.random): string {
  let ms = Math.max(0, Math.floor(now.getTime()));
  let digits = '';
  for (let i = 0; i < 7; i++) {
    digits = (DIGITS[ms % 62] as string) + digits;
    ms = Math.floor(ms / 62);
  }
  const tail = Array.from({ length: 3 }, () => DIGITS[1 + Math.floor(random() * (DIGITS.length - 1))]).join('');
  return `g${digits}${tail}`;
}

export function isValidRank(key: string): boolean {
  try {
    assertValidRank(key);
    return true;
  } catch {
    return false;
  }
}

function rankBefore(after: string): string {
  const intB = integerPart(after);
  const fracB = after.slice(intB.length);
  if (intB === SMALLEST_INTEGER) return intB + midpoint('', fracB);
  if (intB < after) return intB;
  const previous = decrementInteger(intB);
  if (previous === null) throw new RankError('rank space exhausted');
  return previous;
}

function rankAfter(before: string): string {
  const intA = integerPart(before);
  const next = incrementInteger(intA);
  return next === null ? intA + midpoint(before.slice(intA.length), null) : next;
}

/** A fraction strictly between a and b (b null: 1); neither has trailing zeros. */
function midpoint(a: string, b: string | null): string {
  if (b !== null && a >= b) throw new RankError(`${a} is not before ${b}`);
  if (b !== null) {
    let n = 0;
    while ((a[n] ?? ZERO) === b[n]) n++;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const digitA = a ? DIGITS.indexOf(a[0] as string) : 0;
  const digitB = b !== null ? DIGITS.indexOf(b[0] as string) : DIGITS.length;
  if (digitB - digitA > 1) return DIGITS[Math.round((digitA + digitB) / 2)] as string;
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return (DIGITS[digitA] as string) + midpoint(a.slice(1), null);
}

function integerLength(head: string): number {
  if (head >= 'a' && head <= 'z') return head.charCodeAt(0) - 'a'.charCodeAt(0) + 2;
  if (head >= 'A' && head <= 'Z') return 'Z'.charCodeAt(0) - head.charCodeAt(0) + 2;
  throw new RankError(`invalid rank head ${head}`);
}

function integerPart(key: string): string {
  const length = integerLength(key[0] ?? '');
  if (length > key.length) throw new RankError(`invalid rank ${key}`);
  return key.slice(0, length);
}

function assertValidRank(key: string): void {
  if (key === SMALLEST_INTEGER) throw new RankError(`invalid rank ${key}`);
  for (const ch of key) if (!DIGITS.includes(ch)) throw new RankError(`invalid rank ${key}`);
  const int = integerPart(key);
  if (key.slice(int.length).endsWith(ZERO)) throw new RankError(`invalid rank ${key}`);
}

function incrementInteger(int: string): string | null {
  const [head, ...digits] = int.split('') as [string, ...string[]];
  for (let i = digits.length - 1; i >= 0; i--) {
    const next = DIGITS.indexOf(digits[i] as string) + 1;
    if (next < DIGITS.length) {
      digits[i] = DIGITS[next] as string;
      return head + digits.join('');
    }
    digits[i] = ZERO;
  }
  if (head === 'Z') return `a${ZERO}`;
  if (head === 'z') return null;
  const nextHead = String.fromCharCode(head.charCodeAt(0) + 1);
  if (nextHead > 'a') digits.push(ZERO);
  else digits.pop();
  return nextHead + digits.join('');
}

function decrementInteger(int: string): string | null {
  const [head, ...digits] = int.split('') as [string, ...string[]];
  const last = DIGITS[DIGITS.length - 1] as string;
  for (let i = digits.length - 1; i >= 0; i--) {
    const previous = DIGITS.indexOf(digits[i] as string) - 1;
    if (previous >= 0) {
      digits[i] = DIGITS[previous] as string;
      return head + digits.join('');
    }
    digits[i] = last;
  }
  if (head === 'a') return `Z${last}`;
  if (head === 'A') return null;
  const previousHead = String.fromCharCode(head.charCodeAt(0) - 1);
  if (previousHead < 'Z') digits.push(last);
  else digits.pop();
  return previousHead + digits.join('');
}
