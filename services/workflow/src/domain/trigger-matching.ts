// Whether an event starts a rule: the event type, the "changed from / to" of named fields, the cancelling events
// of relative triggers, and threshold contributions. Pure.
import { isDeepStrictEqual } from 'node:util';
import { conditionHolds } from './conditions';
import type { Trigger } from './rule-definition';
import { lookup } from './template';

type Json = Record<string, unknown> | null;

export interface ChangeFacts {
  record: Json;
  previous: Json;
  /** Paths the producer says changed (snake_case or camelCase), used when no previous state is known. */
  changedFields: readonly string[];
}

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function same(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a ?? null, b ?? null);
}

/** Every "changed" clause holds: the field changed, from and to the given values when named. */
export function changedMatches(
  clauses: ReadonlyArray<{ field: string; from?: unknown; to?: unknown }> | undefined,
  facts: ChangeFacts,
): boolean {
  if (!clauses || clauses.length === 0) return true;
  return clauses.every((clause) => {
    const now = lookup(facts.record, clause.field);
    if (clause.to !== undefined && !same(now, clause.to)) return false;
    if (facts.previous) {
      const before = lookup(facts.previous, clause.field);
      if (same(before, now)) return false;
      return clause.from === undefined || same(before, clause.from);
    }
    // No earlier state known: trust the producer's list of changed fields; a "from" cannot be checked.
    if (clause.from !== undefined) return false;
    const top = clause.field.split('.')[0] as string;
    return facts.changedFields.some((f) => f === top || f === snake(top) || f.startsWith(`${snake(top)}.`));
  });
}

/** The id of the record a cancelling event is about, in terms of the starting event's record type. */
export function cancelSubjectOf(
  startEntity: string,
  cancel: { entity: string | undefined; aggregateId: string; record: Json },
): string | undefined {
  if (cancel.entity === startEntity) return cancel.aggregateId;
  const linked = lookup(cancel.record, `${startEntity}Id`);
  return typeof linked === 'string' && linked ? linked : undefined;
}

/** What one record contributes to a threshold's group. */
export function thresholdContribution(
  trigger: Extract<Trigger, { type: 'threshold' }>,
  record: Json,
): { groupKey: string; value: number } | undefined {
  const groupKey = lookup(record, trigger.groupBy);
  if (typeof groupKey !== 'string' || groupKey === '') return undefined;
  const counts =
    record !== null && !(record as { deleted?: boolean }).deleted && conditionHolds(trigger.where ?? null, record);
  if (!counts) return { groupKey, value: 0 };
  const raw = trigger.measure === '1' ? 1 : Number(lookup(record, trigger.measure) ?? 0);
  return { groupKey, value: Number.isFinite(raw) ? raw : 0 };
}

/** A group's total moved: crossed upwards (fire), dropped below the re-arm level (re-arm), or neither. */
export function crossing(
  trigger: Extract<Trigger, { type: 'threshold' }>,
  wasAbove: boolean,
  total: number,
): 'fire' | 'rearm' | 'none' {
  if (!wasAbove && total >= trigger.above) return 'fire';
  if (wasAbove && total < (trigger.rearmBelow ?? trigger.above)) return 'rearm';
  return 'none';
}
