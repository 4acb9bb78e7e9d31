// Who gets the next assignment of a team: round-robin from the team's pointer, or the member with the fewest
// open tasks; members who are away (until a time, or until set back) are skipped. Pure.
import type { MemberDoc } from './records';

export function isAway(member: MemberDoc, now: Date): boolean {
  if (!member.away) return false;
  return member.awayUntil === null || member.awayUntil.getTime() > now.getTime();
}

/** The member at or after `start` (wrapping) who is not away, and the pointer after them. */
export function roundRobin(
  members: readonly MemberDoc[],
  start: number,
  now: Date,
): { userId: string; nextIndex: number } | undefined {
  for (let i = 0; i < members.length; i++) {
    const index = (((start + i) % members.length) + members.length) % members.length;
    const member = members[index] as MemberDoc;
    if (!isAway(member, now)) return { userId: member.userId, nextIndex: (index + 1) % members.length };
  }
  return undefined;
}

/** The available member with the least load; ties go to the earlier member. */
export function leastLoaded(
  members: readonly MemberDoc[],
  load: ReadonlyMap<string, number>,
  now: Date,
): string | undefined {
  let best: { userId: string; load: number } | undefined;
  for (const member of members) {
    if (isAway(member, now)) continue;
    const current = load.get(member.userId) ?? 0;
    if (!best || current < best.load) best = { userId: member.userId, load: current };
  }
  return best?.userId;
}
