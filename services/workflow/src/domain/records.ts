// The records this service owns besides runs and tasks: rules, webhook endpoints and deliveries, forms and
// assignment teams. Definitions and payloads are kept as JSON text: records are read by _id only, and keys
// such as "customFields.budget" or JSON Logic operators must survive every MongoDB-wire server.
import type { TenantRecord } from '@crm/service-kit';

export interface RuleDoc extends TenantRecord {
  key: string;
  name: string;
  description: string;
  enabled: boolean;
  triggerType: string;
  /** JSON of {trigger, conditions, actions}. */
  definitionJson: string;
}

export interface SecretDoc {
  id: string;
  /** AES-GCM encrypted "whsec_..." secret. */
  sealed: string;
  createdAt: Date;
  /** Stops signing then (the old secret after a rotation); null while current. */
  expiresAt: Date | null;
}

export type EndpointStatus = 'enabled' | 'disabled';

export interface EndpointDoc extends TenantRecord {
  url: string;
  description: string;
  eventTypes: string[];
  status: EndpointStatus;
  disabledReason: string;
  secrets: SecretDoc[];
  consecutiveFailures: number;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'dead_lettered';

export interface AttemptDoc {
  at: Date;
  statusCode: number;
  latencyMs: number;
  error: string;
}

export interface DeliveryDoc extends TenantRecord {
  endpointId: string;
  eventType: string;
  eventId: string;
  runId: string;
  stepId: string;
  status: DeliveryStatus;
  attempts: AttemptDoc[];
  nextAttemptAt: Date | null;
  /** The retry window starts here (the first attempt, or the replay). */
  windowStartedAt: Date;
  payload: string;
}

export interface FormFieldDoc {
  name: string;
  label: string;
  mapsTo: string;
  required: boolean;
}

export interface FormDoc extends TenantRecord {
  name: string;
  fields: FormFieldDoc[];
  consentText: string;
  allowedOrigins: string[];
  honeypotField: string;
  assignment: { strategy: 'round_robin' | 'least_loaded' | 'fixed'; teamId: string; ownerId: string };
  followUpTitle: string;
  followUpDueMinutes: number;
  enabled: boolean;
  hmacEnabled: boolean;
  /** AES-GCM encrypted HMAC secret ('' when hmacEnabled is off). */
  hmacSealed: string;
}

export interface MemberDoc {
  userId: string;
  away: boolean;
  awayUntil: Date | null;
}

export interface TeamDoc extends TenantRecord {
  /** The team id (teamId is the same, for visibility). */
  members: MemberDoc[];
  nextIndex: number;
}
