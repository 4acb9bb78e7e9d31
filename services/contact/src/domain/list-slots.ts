// Time slots for reading a tenant's records newest first without sorting all of them. Every write stamps the
// record with the second it happened in (its slot) and leaves a marker for that second, its hour, its day and
// its year; a list walks the markers from the newest down and reads one second's records at a time, each an
// indexed equality. Markers are only ever added: a second whose records all moved on costs one empty read.

const HOUR = 3600;
const DAY = 86_400;

export const slotOf = (at: Date): number => Math.floor(at.getTime() / 1000);
export const hourOf = (second: number): number => Math.floor(second / HOUR);
export const dayOf = (second: number): number => Math.floor(second / DAY);
export const yearOf = (second: number): number => new Date(second * 1000).getUTCFullYear();

/** One marker document; each level names its parent so that a level is listed by one equality. */
export interface SlotMarker {
  _id: string;
  tenantId: string;
  yearMark?: true;
  year?: number;
  inYear?: number;
  day?: number;
  inDay?: number;
  hour?: number;
  inHour?: number;
  second?: number;
}

/** The markers that writes at `times` leave, each once. */
export function slotMarkers(tenantId: string, times: readonly Date[]): SlotMarker[] {
  const markers = new Map<string, SlotMarker>();
  const add = (marker: SlotMarker) => markers.set(marker._id, marker);
  for (const at of times) {
    const second = slotOf(at);
    const [hour, day, year] = [hourOf(second), dayOf(second), yearOf(second)];
    add({ _id: `y:${tenantId}:${year}`, tenantId, yearMark: true, year });
    add({ _id: `d:${tenantId}:${day}`, tenantId, inYear: year, day });
    add({ _id: `h:${tenantId}:${hour}`, tenantId, inDay: day, hour });
    add({ _id: `s:${tenantId}:${second}`, tenantId, inHour: hour, second });
  }
  return [...markers.values()];
}

/** The values within [low, high], highest first. */
export function descendingWithin(values: readonly number[], low: number, high: number): number[] {
  return [...new Set(values)].filter((v) => v >= low && v <= high).sort((a, b) => b - a);
}
