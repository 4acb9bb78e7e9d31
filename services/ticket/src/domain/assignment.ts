// Automatic assignment within a support group: among the agents who are available (inside the working hours of
// their calendar, not marked away, below their capacity), round-robin takes the one assigned longest ago and
// least-open the one with the fewest open tickets (ties: longest ago, then id). Pure.
import type { TimeMeasure } from './business-time';
import type { AssignmentMode } from './ticket-values';

export interface Candidate {
  userId: string;
  away: boolean;
  /** 0: no limit. */
  capacity: number;
  openTickets: number;
  /** Sequence number of the last assignment in the group; 0 never. */
  lastAssigned: number;
  /** The agent's working hours; undefined: always. */
  hours: TimeMeasure | undefined;
}

export function isAvailable(candidate: Candidate, now: Date): boolean {
  if (candidate.away) return false;
  if (candidate.capacity > 0 && candidate.openTickets >= candidate.capacity) return false;
  return candidate.hours ? candidate.hours.counts(now.getTime()) : true;
}

export function pickAssignee(mode: AssignmentMode, candidates: readonly Candidate[], now: Date): string | undefined {
  if (mode === 'manual') return undefined;
  const available = candidates.filter((c) => isAvailable(c, now));
  const byRotation = (a: Candidate, b: Candidate) =>
    a.lastAssigned - b.lastAssigned || a.userId.localeCompare(b.userId);
  const sorted =
    mode === 'least_open'
      ? [...available].sort((a, b) => a.openTickets - b.openTickets || byRotation(a, b))
      : [...available].sort(byRotation);
  return sorted[0]?.userId;
}
