// When a schedule trigger fires next: croner over the rule's cron in its time zone. Across a DST change a local
// time that does not exist fires once at the shift, one that happens twice fires once (the first). After a firing
// the engine counts the next occurrence from the later of the firing and now, so a process that was down fires a
// missed stretch once, not once per missed occurrence. Pure.
import { Cron } from 'croner';

export interface ScheduleTrigger {
  cron: string;
  timezone: string;
}

/** The first occurrence strictly after `after`, or undefined when the expression has none left. */
export function nextOccurrence(trigger: ScheduleTrigger, after: Date): Date | undefined {
  return new Cron(trigger.cron, { timezone: trigger.timezone, paused: true }).nextRun(after) ?? undefined;
}
