import {
  ActivityLogged,
  CompanyChanged,
  ContactChanged,
  ContactErased,
  ContactMerged,
} from '@crm/proto/crm/contact/v1/events';
import type { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { DealChanged, PipelineChanged } from '@crm/proto/crm/pipeline/v1/events';
import {
  FormChanged,
  FormSubmitted,
  RuleChanged,
  RunChanged,
  TaskChanged,
  WebhookDeliveryChanged,
  WebhookEndpointChanged,
} from '@crm/proto/crm/workflow/v1/events';

interface PayloadCodec {
  decode(input: Uint8Array): unknown;
  toJSON(message: never): unknown;
}

const CODECS = new Map<string, PayloadCodec>([
  ['crm.contact.v1.ContactChanged', ContactChanged],
  ['crm.contact.v1.ContactMerged', ContactMerged],
  ['crm.contact.v1.ContactErased', ContactErased],
  ['crm.contact.v1.CompanyChanged', CompanyChanged],
  ['crm.contact.v1.ActivityLogged', ActivityLogged],
  ['crm.pipeline.v1.DealChanged', DealChanged],
  ['crm.pipeline.v1.PipelineChanged', PipelineChanged],
  ['crm.workflow.v1.TaskChanged', TaskChanged],
  ['crm.workflow.v1.RuleChanged', RuleChanged],
  ['crm.workflow.v1.RunChanged', RunChanged],
  ['crm.workflow.v1.WebhookEndpointChanged', WebhookEndpointChanged],
  ['crm.workflow.v1.WebhookDeliveryChanged', WebhookDeliveryChanged],
  ['crm.workflow.v1.FormChanged', FormChanged],
  ['crm.workflow.v1.FormSubmitted', FormSubmitted],
]);

export interface ApiEvent {
  id: string;
  type: string;
  tenantId: string;
  aggregateId: string;
  aggregateVersion: number;
  occurredAt: string | null;
  actor: { userId: string; clientId: string } | null;
  ownerId: string;
  teamId: string;
  /** The event's payload as proto JSON (camelCase); null for a payload type this gateway does not know. */
  data: unknown;
}

/** The envelope as the SSE client gets it. */
export function apiEventOf(envelope: Envelope): ApiEvent {
  return {
    id: envelope.id,
    type: envelope.type,
    tenantId: envelope.tenantId,
    aggregateId: envelope.aggregateId,
    aggregateVersion: envelope.aggregateVersion,
    occurredAt: envelope.occurredAt ? envelope.occurredAt.toISOString() : null,
    actor: envelope.actor ? { userId: envelope.actor.userId, clientId: envelope.actor.clientId } : null,
    ownerId: envelope.ownerId,
    teamId: envelope.teamId,
    data: payloadJson(envelope.payload),
  };
}

function payloadJson(payload: Envelope['payload']): unknown {
  if (!payload) return null;
  const codec = CODECS.get(payload.typeUrl.slice(payload.typeUrl.lastIndexOf('/') + 1));
  if (!codec) return null;
  return codec.toJSON(codec.decode(payload.value) as never);
}
