import type { Collection, Connection } from 'mongoose';
import { isDuplicateKey } from '@crm/service-kit';
import { dayOf, descendingWithin, hourOf, slotMarkers, yearOf, type SlotMarker } from '../domain/list-slots';

/** Marker ids this process has seen stored; markers are never removed, so a remembered one need not be written. */
const REMEMBERED_MARKERS = 10_000;

/** The slot markers of one collection's records (see domain/list-slots). */
export class ListSlots {
  private readonly markers: Collection<SlotMarker>;
  private readonly stored = new Set<string>();

  constructor(connection: Connection, collectionName: string) {
    this.markers = connection.collection<SlotMarker>(collectionName);
  }

  async ensureIndexes(): Promise<void> {
    for (const field of ['yearMark', 'inYear', 'inDay', 'inHour'])
      await this.markers.createIndex({ tenantId: 1, [field]: 1 });
  }

  /** Leaves the markers for writes at `times`; markers already there are kept as they are. */
  async mark(tenantId: string, times: readonly Date[]): Promise<void> {
    const markers = slotMarkers(tenantId, times).filter((marker) => !this.stored.has(marker._id));
    if (markers.length === 0) return;
    try {
      await this.markers.insertMany(markers, { ordered: false });
    } catch (error) {
      const writeErrors = (error as { writeErrors?: unknown[] | unknown }).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (list.length === 0 || !list.every(isDuplicateKey)) throw error;
    }
    this.remember(markers.map((marker) => marker._id));
  }

  private remember(ids: readonly string[]): void {
    if (this.stored.size + ids.length > REMEMBERED_MARKERS) this.stored.clear();
    for (const id of ids) this.stored.add(id);
  }

  /** Every marked second of the tenant within [low, high], newest first, read a level at a time as needed. */
  async *secondsDescending(tenantId: string, high: number, low: number): AsyncGenerator<number> {
    const years = await this.values({ tenantId, yearMark: true }, 'year');
    for (const year of descendingWithin(years, yearOf(low), yearOf(high))) {
      for (const day of descendingWithin(
        await this.values({ tenantId, inYear: year }, 'day'),
        dayOf(low),
        dayOf(high),
      )) {
        for (const hour of descendingWithin(
          await this.values({ tenantId, inDay: day }, 'hour'),
          hourOf(low),
          hourOf(high),
        )) {
          yield* descendingWithin(await this.values({ tenantId, inHour: hour }, 'second'), low, high);
        }
      }
    }
  }

  private async values(filter: Record<string, unknown>, field: 'year' | 'day' | 'hour' | 'second'): Promise<number[]> {
    const markers = await this.markers.find(filter, { projection: { [field]: 1 } }).toArray();
    return markers.map((marker) => marker[field]).filter((value): value is number => typeof value === 'number');
  }
}
