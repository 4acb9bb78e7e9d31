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
