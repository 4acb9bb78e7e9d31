import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../auth/principal';
import { currentTraceHeaders } from '../telemetry/propagation';

/** One event ready to publish: the encoded Envelope, its subject, and the trace it was written in. */
export interface EventMessage {
  /** Event id (UUIDv7), published as Nats-Msg-Id so that JetStream drops a re-publish. */
  id: string;
  /** e.g. "contact.updated". */
  type: string;
  subject: string;
  data: Buffer;
  headers: Record<string, string>;
}

export interface DomainEvent {
  /** e.g. "contact.created"; the subject is "crm.contact.created". */
  type: string;
  tenantId: string;
  aggregateId: string;
  aggregateVersion: number;
  ownerId: string;
  teamId: string;
  /** Fully-qualified protobuf type of the payload, e.g. "crm.contact.v1.ContactChanged". */
  payloadType: string;
  payload: Uint8Array;
  occurredAt?: Date;
}

export type Actor = Pick<Principal, 'userId' | 'clientId'>;

export function eventSubject(type: string, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}crm.${type}`;
}

export function toEventMessage(event: DomainEvent, actor: Actor, namespace = ''): EventMessage {
  const id = uuidv7();
  const envelope = Envelope.encode({
    id,
    type: event.type,
    tenantId: event.tenantId,
    aggregateId: event.aggregateId,
    aggregateVersion: event.aggregateVersion,
    occurredAt: event.occurredAt ?? new Date(),
    actor: { userId: actor.userId, clientId: actor.clientId },
    payload: { typeUrl: `type.googleapis.com/${event.payloadType}`, value: Buffer.from(event.payload) },
    ownerId: event.ownerId,
    teamId: event.teamId,
  }).finish();
  return {
    id,
    type: event.type,
    subject: eventSubject(event.type, namespace),
    data: Buffer.from(envelope),
    headers: currentTraceHeaders(),
  };
}
