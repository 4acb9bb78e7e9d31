// Records as read-model rows, and rows back as the documents the API maps: what the projections write and the
// queries read. `data` holds the record as the API shows it; typed columns serve filters, sorts and search.
import { jsonb, type Row } from '@crm/service-kit';
import { phoneSearchDigits } from '../../domain/search-query';
import type {
  ActivityDoc,
  CompanyDoc,
  ContactDoc,
  ContactView,
  CustomFieldSetDoc,
  ImportJobDoc,
  TenantSettingsDoc,
} from '../records';

/** The Kysely view of the tables (generated and trigger-kept columns included, for reads). */
export interface ContactReadModel {
  contacts: ContactRow;
  contact_search_words: { tenant_id: string; field: number; word: string; contact_id: string };
  companies: CompanyRow;
  activities: ActivityRow;
  tenant_settings: { id: string; tenant_id: string; owner_id: string; team_id: string; version: number; data: unknown };
  custom_field_sets: {
    id: string;
    tenant_id: string;
    owner_id: string;
    team_id: string;
    version: number;
    entity: string;
    data: unknown;
  };
  import_jobs: ImportJobRow;
  import_errors: { tenant_id: string; job_id: string; row: number; field: string; message: string };
}

export interface ContactRow {
  id: string;
  tenant_id: string;
  owner_id: string;
  team_id: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  first_name: string;
  last_name: string;
  title: string;
  company_id: string;
  company_name: string;
  company_domain: string;
  lifecycle_stage: string;
  lead_source: string;
  tier: string;
  external_id: string;
  tags: string[];
  emails: string[];
  phones: string[];
  phone_digits: string[];
  merged_into: string;
  erased_at: Date | null;
  last_activity_at: Date | null;
  data: unknown;
}

export interface CompanyRow {
  id: string;
  tenant_id: string;
  owner_id: string;
  team_id: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  name: string;
  domain: string;
  industry: string;
  parent_company_id: string;
  external_id: string;
  data: unknown;
}

export interface ActivityRow {
  id: string;
  tenant_id: string;
  owner_id: string;
  team_id: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  type: string;
  contact_id: string;
  company_id: string;
  occurred_at: Date;
  data: unknown;
}

export interface ImportJobRow {
  id: string;
  tenant_id: string;
  owner_id: string;
  team_id: string;
  version: number;
  created_at: Date;
  data: unknown;
}

const owned = (r: { _id: string; tenantId: string; ownerId: string; teamId: string; version: number }) => ({
  id: r._id,
  tenant_id: r.tenantId,
  owner_id: r.ownerId,
  team_id: r.teamId,
  version: r.version,
});

export function contactRow(c: ContactDoc): Row {
  return {
    ...owned(c),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    deleted_at: c.deletedAt ?? null,
    first_name: c.firstName,
    last_name: c.lastName,
    title: c.title,
    company_id: c.companyId,
    company_name: c.companyName,
    company_domain: c.companyDomain,
    lifecycle_stage: c.lifecycleStage,
    lead_source: c.leadSource,
    tier: c.tier,
    external_id: c.externalId,
    tags: c.tags,
    emails: c.emails.map((e) => e.address),
    phones: c.phones.map((p) => p.number),
    phone_digits: [...new Set(c.phones.flatMap((p) => phoneSearchDigits(p.number)))],
    merged_into: c.mergedInto,
    erased_at: c.erasedAt ?? null,
    data: jsonb(c),
  };
}

export function companyRow(c: CompanyDoc): Row {
  return {
    ...owned(c),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    deleted_at: c.deletedAt ?? null,
    name: c.name,
    domain: c.domain,
    industry: c.industry,
    parent_company_id: c.parentCompanyId,
    external_id: c.externalId,
    data: jsonb(c),
  };
}

export function activityRow(a: ActivityDoc): Row {
  return {
    ...owned(a),
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    deleted_at: a.deletedAt ?? null,
    type: a.type,
    contact_id: a.contactId,
    company_id: a.companyId,
    occurred_at: a.occurredAt,
    data: jsonb(a),
  };
}

export function settingsRow(s: TenantSettingsDoc): Row {
  return { ...owned(s), data: jsonb(s) };
}

export function fieldSetRow(s: CustomFieldSetDoc): Row {
  return { ...owned(s), entity: s.entity, data: jsonb(s) };
}

export function importJobRow(j: ImportJobDoc): Row {
  return { ...owned(j), created_at: j.createdAt, data: jsonb(j) };
}

// ---- rows back to documents: JSON keeps dates as strings, the typed columns have them as dates ----

const date = (value: unknown): Date | null => (value ? new Date(value as string) : null);

export function contactOf(row: ContactRow): ContactView {
  const data = row.data as ContactDoc;
  return {
    ...data,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    erasedAt: row.erased_at,
    lastActivityAt: row.last_activity_at,
  };
}

export function companyOf(row: CompanyRow): CompanyDoc {
  const data = row.data as CompanyDoc;
  return { ...data, createdAt: row.created_at, updatedAt: row.updated_at, deletedAt: row.deleted_at };
}

export function activityOf(row: ActivityRow): ActivityDoc {
  const data = row.data as ActivityDoc;
  const meeting = data.meeting
    ? { ...data.meeting, startAt: date(data.meeting.startAt) as Date, endAt: date(data.meeting.endAt) as Date }
    : null;
  return {
    ...data,
    meeting,
    occurredAt: row.occurred_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

export function importJobOf(row: ImportJobRow): ImportJobDoc {
  const data = row.data as ImportJobDoc;
  return {
    ...data,
    createdAt: row.created_at,
    updatedAt: date(data.updatedAt) as Date,
    startedAt: date(data.startedAt),
    finishedAt: date(data.finishedAt),
    leaseUntil: date(data.leaseUntil),
  };
}
