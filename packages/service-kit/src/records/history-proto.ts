import type { HistoryEntry as HistoryEntryProto } from '@crm/proto/crm/common/v1/history';
import type { HistoryEntry } from './record-store';

/** A record's history for the wire: field values as JSON (dates as ISO strings, Buffers left out). */
export function toProtoHistory(entries: readonly HistoryEntry[]): HistoryEntryProto[] {
  return entries.map((entry) => ({
    version: entry.version,
    type: entry.type,
    at: entry.at,
    actorUserId: entry.actor.userId,
    actorClientId: entry.actor.clientId,
    changes: entry.changes.map((change) => ({ field: change.field, from: toJson(change.from), to: toJson(change.to) })),
  }));
}

function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null)) as unknown;
}
