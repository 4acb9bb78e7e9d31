import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DurableTimers, UniqueClaims } from '@crm/service-kit';
import type { CrmClients } from '../clients/crm-clients';
import type { WorkflowConfig } from '../config';
import type { SecretBox } from '../domain/secret-box';
import type { WorkflowEvents } from '../events/workflow-events';
import type { WorkflowStores } from '../store/workflow-store';

/** What the use cases share; built once by the wiring. */
export interface AppDeps {
  config: WorkflowConfig;
  log: Logger;
  stores: WorkflowStores;
  /** The read model (raw SQL through Kysely's sql tag). */
  db: Kysely<unknown>;
  events: WorkflowEvents;
  timers: DurableTimers;
  clients: CrmClients;
  secrets: SecretBox;
  ruleKeys: UniqueClaims;
  clock: () => Date;
  /** The service acting on its own, as the actor of its events. */
  serviceActor: { userId: string; clientId: string };
}
