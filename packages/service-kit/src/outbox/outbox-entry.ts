import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { v7 as uuidv7 } from 'uuid';
import { Schema } from 'mongoose';
import { currentTraceHeaders } from '../telemetry/propagation';
import type { Principal } from '../auth/principal';
import { eventSubject, type DomainEvent } from '../records/event-message';

/** One not-yet-published event, stored inside the aggregate's own document (the single-document outbox). */
export interface OutboxEntry {
  id: string;
  subject: string;
  data: Buffer;
  headers: Record<string, string>;
  createdAt: Date;
}

export const outboxEntrySchema = new Schema<OutboxEntry>(
  {
    id: { type: String, required: true },
    subject: { type: String, required: true },
    data: { type: Buffer, required: true },
    headers: { type: Schema.Types.Mixed, default: {} },
    createdAt: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * The outbox paths an aggregate's schema carries. `outboxPending` is true while the outbox holds entries: the
 * sweeper finds pending documents by that one indexed equality, which every store can answer from an index
 * (a condition on `outbox.createdAt` makes FerretDB read the whole collection).
 */
export const outboxFields = {
  outbox: { type: [outboxEntrySchema], default: [] },
  outboxPending: { type: Boolean, default: false },
};

/** Index for the sweeper's lookup; add it to every schema that spreads outboxFields. */
export const OUTBOX_PENDING_INDEX = { outboxPending: 1 } as const;

/** Fields of a new document that starts with these entries in its outbox. */
export function initialOutbox(entries: OutboxEntry[]): { outbox: OutboxEntry[]; outboxPending: boolean } {
  return { outbox: entries, outboxPending: entries.length > 0 };
}

/** The part of an update that appends entries to a document's outbox. */
export function appendToOutbox(entries: OutboxEntry[]): {
  $push: { outbox: { $each: OutboxEntry[] } };
  $set: { outboxPending: boolean };
} {
  return { $push: { outbox: { $each: entries } }, $set: { outboxPending: entries.length > 0 } };
}

export function toOutboxEntry(
  event: DomainEvent,
  actor: Pick<Principal, 'userId' | 'clientId'>,
  namespace = '',
): OutboxEntry {
  const id = uuidv7();
  const occurredAt = new Date();
  const envelope = Envelope.encode({
    id,
    type: event.type,
    tenantId: event.tenantId,
    aggregateId: event.aggregateId,
    aggregateVersion: event.aggregateVersion,
    occurredAt,
    actor: { userId: actor.userId, clientId: actor.clientId },
    payload: { typeUrl: `type.googleapis.com/${event.payloadType}`, value: Buffer.from(event.payload) },
    ownerId: event.ownerId,
    teamId: event.teamId,
  }).finish();
  return {
    id,
    subject: eventSubject(event.type, namespace),
    data: Buffer.from(envelope),
    headers: currentTraceHeaders(),
    createdAt: occurredAt,
  };
}
