// What the projection applies: each stream event, decoded into the facts it tells (events/event-decoder.ts). Pure
// data.
import type { DealChange } from './deal-facts';
import type {
  ActivityFact,
  CompanyFact,
  ContactFact,
  PipelineFact,
  RunFact,
  SlaFact,
  TaskFact,
  TicketFact,
} from './record-facts';

export type StreamName = 'CONTACT' | 'PIPELINE' | 'TICKET' | 'WORKFLOW';

export interface EventMeta {
  eventId: string;
  /** e.g. "deal.stage_changed" */
  type: string;
  tenantId: string;
  aggregateId: string;
  version: number;
  occurredAt: Date;
  stream: StreamName;
  /** When the stream stored the event (set by the live consumers); lag counts from here, not from occurredAt. */
  storedAt?: Date;
}

export type FactEvent =
  | { kind: 'deal'; meta: EventMeta; change: DealChange }
  | { kind: 'pipeline'; meta: EventMeta; pipeline: PipelineFact }
  | { kind: 'contact'; meta: EventMeta; contact: ContactFact }
  | { kind: 'company'; meta: EventMeta; company: CompanyFact }
  | { kind: 'activity'; meta: EventMeta; activity: ActivityFact }
  /** A ticket and the SLA target occurrences the event tells of. */
  | { kind: 'ticket'; meta: EventMeta; ticket: TicketFact; slas: SlaFact[] }
  | { kind: 'task'; meta: EventMeta; task: TaskFact }
  | { kind: 'run'; meta: EventMeta; run: RunFact }
  /** An event of a stream we read that tells no fact we keep (e.g. contact.erased: leads stay counted). */
  | { kind: 'ignored'; meta: EventMeta };
