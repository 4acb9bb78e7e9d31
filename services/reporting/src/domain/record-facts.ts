// The facts kept of contacts, companies, activities and pipelines: the few fields reports group and count by, as
// of the newest version seen (a row only moves to a newer version). Pure data.

export interface ContactFact {
  tenantId: string;
  contactId: string;
  version: number;
  createdAt: Date;
  leadSource: string;
  lifecycleStage: string;
  ownerId: string;
  teamId: string;
  deleted: boolean;
  /** Merged into another contact: a duplicate, not a lead of its own. */
  merged: boolean;
}

export interface CompanyFact {
  tenantId: string;
  companyId: string;
  version: number;
  createdAt: Date;
  ownerId: string;
  teamId: string;
  deleted: boolean;
}

export interface ActivityFact {
  tenantId: string;
  activityId: string;
  version: number;
  type: string;
  occurredAt: Date;
  ownerId: string;
  teamId: string;
  contactId: string;
  dealId: string;
  ticketId: string;
  deleted: boolean;
}

export interface StageFact {
  stageId: string;
  name: string;
  /** Board order within the pipeline, from 0. */
  position: number;
  kind: string;
  probability: number;
  forecastCategory: string;
  archived: boolean;
}

export interface PipelineFact {
  tenantId: string;
  pipelineId: string;
  name: string;
  version: number;
  stages: StageFact[];
}

/** A ticket as of one version: what support reports count by. Durations are the ticket service's business seconds. */
export interface TicketFact {
  tenantId: string;
  ticketId: string;
  version: number;
  createdAt: Date;
  channel: string;
  priority: string;
  status: string;
  /** The assignee. */
  ownerId: string;
  /** The support group. */
  teamId: string;
  firstReplyAt: Date | null;
  firstReplySeconds: number | null;
  solvedAt: Date | null;
  resolutionSeconds: number | null;
  /** good | bad | '' (no answer). */
  csatRating: string;
  csatAt: Date | null;
  deleted: boolean;
  /** Closed as a duplicate of another ticket. */
  merged: boolean;
}

export type SlaOutcome = 'met' | 'breached' | 'open';

/** One occurrence of an SLA target on a ticket (next reply restarts: cycles 1, 2...), as of a ticket version. */
export interface SlaFact {
  tenantId: string;
  ticketId: string;
  metric: string;
  cycle: number;
  version: number;
  outcome: SlaOutcome;
  outcomeAt: Date | null;
}

export interface TaskFact {
  tenantId: string;
  taskId: string;
  version: number;
  status: string;
  ownerId: string;
  teamId: string;
  createdAt: Date;
  dueAt: Date | null;
  completedAt: Date | null;
  deleted: boolean;
}

export interface RunFact {
  tenantId: string;
  runId: string;
  version: number;
  ruleId: string;
  ruleName: string;
  triggerType: string;
  /** What the run is about: contact, company, deal, ticket... */
  subjectType: string;
  status: string;
  ownerId: string;
  teamId: string;
  createdAt: Date;
  finishedAt: Date | null;
}

/** A target's outcome from its state: breached (even if fulfilled late) wins, fulfilled is met, else open. */
export function slaOutcomeOf(
  status: string,
  fulfilledAt: Date | null,
  breachedAt: Date | null,
): Pick<SlaFact, 'outcome' | 'outcomeAt'> {
  if (status === 'breached' || status === 'breached_fulfilled') return { outcome: 'breached', outcomeAt: breachedAt };
  if (status === 'fulfilled') return { outcome: 'met', outcomeAt: fulfilledAt };
  return { outcome: 'open', outcomeAt: null };
}
