// The rows of the deal fact tables and their mapping to the domain's facts.
import type { DealFact, DealStatus, StageStay } from '../domain/deal-facts';

export interface DealRow {
  tenant_id: string;
  deal_id: string;
  version: number;
  pipeline_id: string;
  stage_id: string;
  status: string;
  amount_minor: number;
  currency: string;
  probability: number;
  forecast_category: string;
  owner_id: string;
  team_id: string;
  contact_id: string;
  company_id: string;
  expected_close_date: string | null;
  created_at: Date;
  closed_at: Date | null;
  lost_reason: string;
  deleted: boolean;
  updated_at: Date;
}

export interface StayRow {
  tenant_id: string;
  deal_id: string;
  entered_version: number;
  pipeline_id: string;
  stage_id: string;
  status: string;
  entered_at: Date;
  amount_minor: number;
  currency: string;
  owner_id: string;
  team_id: string;
  left_at: Date | null;
  left_version: number | null;
  next_stage_id: string | null;
  next_status: string | null;
  deal_deleted: boolean;
}

export const DEAL_COLUMNS: readonly (keyof DealRow)[] = [
  'tenant_id',
  'deal_id',
  'version',
  'pipeline_id',
  'stage_id',
  'status',
  'amount_minor',
  'currency',
  'probability',
  'forecast_category',
  'owner_id',
  'team_id',
  'contact_id',
  'company_id',
  'expected_close_date',
  'created_at',
  'closed_at',
  'lost_reason',
  'deleted',
  'updated_at',
];

export const STAY_COLUMNS: readonly (keyof StayRow)[] = [
  'tenant_id',
  'deal_id',
  'entered_version',
  'pipeline_id',
  'stage_id',
  'status',
  'entered_at',
  'amount_minor',
  'currency',
  'owner_id',
  'team_id',
  'left_at',
  'left_version',
  'next_stage_id',
  'next_status',
  'deal_deleted',
];

/** The select list of deal rows, with the calendar date as text (pg would make it a Date at local midnight). */
export const DEAL_SELECT = DEAL_COLUMNS.map((c) =>
  c === 'expected_close_date' ? `to_char(expected_close_date, 'YYYY-MM-DD') as expected_close_date` : c,
).join(', ');

const status = (value: string): DealStatus => (value === 'won' || value === 'lost' ? value : 'open');

export function dealRowOf(fact: DealFact): DealRow {
  return {
    tenant_id: fact.tenantId,
    deal_id: fact.dealId,
    version: fact.version,
    pipeline_id: fact.pipelineId,
    stage_id: fact.stageId,
    status: fact.status,
    amount_minor: fact.amountMinor,
    currency: fact.currency,
    probability: fact.probability,
    forecast_category: fact.forecastCategory,
    owner_id: fact.ownerId,
    team_id: fact.teamId,
    contact_id: fact.contactId,
    company_id: fact.companyId,
    expected_close_date: fact.expectedCloseDate,
    created_at: fact.createdAt,
    closed_at: fact.closedAt,
    lost_reason: fact.lostReason,
    deleted: fact.deleted,
    updated_at: fact.updatedAt,
  };
}

export function dealFactOfRow(row: DealRow): DealFact {
  return {
    tenantId: row.tenant_id,
    dealId: row.deal_id,
    version: Number(row.version),
    pipelineId: row.pipeline_id,
    stageId: row.stage_id,
    status: status(row.status),
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    probability: row.probability,
    forecastCategory: row.forecast_category,
    ownerId: row.owner_id,
    teamId: row.team_id,
    contactId: row.contact_id,
    companyId: row.company_id,
    expectedCloseDate: row.expected_close_date,
    createdAt: row.created_at,
    closedAt: row.closed_at,
    lostReason: row.lost_reason,
    deleted: row.deleted,
    updatedAt: row.updated_at,
  };
}

export function stayRowOf(stay: StageStay): StayRow {
  return {
    tenant_id: stay.tenantId,
    deal_id: stay.dealId,
    entered_version: stay.enteredVersion,
    pipeline_id: stay.pipelineId,
    stage_id: stay.stageId,
    status: stay.status,
    entered_at: stay.enteredAt,
    amount_minor: stay.amountMinor,
    currency: stay.currency,
    owner_id: stay.ownerId,
    team_id: stay.teamId,
    left_at: stay.leftAt,
    left_version: stay.leftVersion,
    next_stage_id: stay.nextStageId,
    next_status: stay.nextStatus,
    deal_deleted: stay.dealDeleted,
  };
}

export function stayOfRow(row: StayRow): StageStay {
  return {
    tenantId: row.tenant_id,
    dealId: row.deal_id,
    enteredVersion: Number(row.entered_version),
    pipelineId: row.pipeline_id,
    stageId: row.stage_id,
    status: status(row.status),
    enteredAt: row.entered_at,
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    ownerId: row.owner_id,
    teamId: row.team_id,
    leftAt: row.left_at,
    leftVersion: row.left_version === null ? null : Number(row.left_version),
    nextStageId: row.next_stage_id,
    nextStatus: row.next_status === null ? null : status(row.next_status),
    dealDeleted: row.deal_deleted,
  };
}
