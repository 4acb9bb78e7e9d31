// An SSE event id is the position in every relayed stream after that event, e.g. "CONTACT:42,PIPELINE:17", so a
// client reconnecting with Last-Event-ID resumes each stream right after what it had, without gaps.

export type EventCursor = Map<string, number>;

const PART = /^([A-Z][A-Z0-9_]{0,63}):(\d{1,15})$/;

export function formatCursor(cursor: EventCursor): string {
  return [...cursor]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([stream, seq]) => `${stream}:${seq}`)
    .join(',');
}

/** Undefined for an absent or malformed id: the client then starts from now. */
export function parseCursor(value: string | undefined): EventCursor | undefined {
  if (!value) return undefined;
  const cursor: EventCursor = new Map();
  for (const part of value.split(',')) {
    const match = PART.exec(part.trim());
    if (!match?.[1] || !match[2]) return undefined;
    cursor.set(match[1], Number(match[2]));
  }
  return cursor.size > 0 ? cursor : undefined;
}
