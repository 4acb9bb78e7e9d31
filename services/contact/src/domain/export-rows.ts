// Records as export rows: CSV columns match the import's field names, so an export imports again as it is.
import type { CustomFieldDefinition, CustomFieldValues } from '@crm/service-kit';
import type { Address, EmailEntry, PhoneEntry } from './contact.model';
import { CONTACT_COLUMNS, COMPANY_COLUMNS } from './csv-mapping';

export type ExportFormat = 'csv' | 'ndjson';

export interface ExportableContact {
  _id: string;
  firstName: string;
  lastName: string;
  emails: EmailEntry[];
  phones: PhoneEntry[];
  title: string;
  companyId: string;
  companyDomain: string;
  companyName: string;
  lifecycleStage: string;
  leadSource: string;
  tags: string[];
  tier: string;
  address: Address | null;
  ownerId: string;
  teamId: string;
  externalId: string;
  customFields: CustomFieldValues;
  lastActivityAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ExportableCompany {
  _id: string;
  name: string;
  domain: string;
  website: string;
  industry: string;
  size: string;
  annualRevenue: { amountMinor: number; currency: string } | null;
  address: Address | null;
  parentCompanyId: string;
  ownerId: string;
  teamId: string;
  externalId: string;
  customFields: CustomFieldValues;
  createdAt: Date;
  updatedAt: Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : '');
const cell = (v: CustomFieldValues[string] | undefined) =>
  v === undefined ? '' : Array.isArray(v) ? v.join(';') : String(v);

function primaryFirst<T extends { primary: boolean }>(entries: T[]): T[] {
  return [...entries].sort((a, b) => Number(b.primary) - Number(a.primary));
}

export function contactColumns(definitions: readonly CustomFieldDefinition[]): string[] {
  return [...CONTACT_COLUMNS, ...definitions.map((d) => `custom_fields.${d.key}`)];
}

export function companyColumns(definitions: readonly CustomFieldDefinition[]): string[] {
  return [...COMPANY_COLUMNS, ...definitions.map((d) => `custom_fields.${d.key}`)];
}

export function contactCsvRow(c: ExportableContact, definitions: readonly CustomFieldDefinition[]): string[] {
  const emails = primaryFirst(c.emails).map((e) => e.address);
  const phones = primaryFirst(c.phones).map((p) => p.number);
  const a = c.address;
  return [
    c._id,
    c.firstName,
    c.lastName,
    emails[0] ?? '',
    emails.slice(1).join(';'),
    phones[0] ?? '',
    phones.slice(1).join(';'),
    c.title,
    c.companyId,
    c.companyDomain,
    c.companyName,
    c.lifecycleStage,
    c.leadSource,
    c.tags.join(';'),
    c.tier,
    a?.street ?? '',
    a?.city ?? '',
    a?.region ?? '',
    a?.postalCode ?? '',
    a?.country ?? '',
    c.ownerId,
    c.teamId,
    c.externalId,
    iso(c.lastActivityAt),
    iso(c.createdAt),
    iso(c.updatedAt),
    ...definitions.map((d) => cell(c.customFields?.[d.key])),
  ];
}

export function companyCsvRow(c: ExportableCompany, definitions: readonly CustomFieldDefinition[]): string[] {
  const a = c.address;
  return [
    c._id,
    c.name,
    c.domain,
    c.website,
    c.industry,
    c.size,
    c.annualRevenue ? String(c.annualRevenue.amountMinor) : '',
    c.annualRevenue?.currency ?? '',
    a?.street ?? '',
    a?.city ?? '',
    a?.region ?? '',
    a?.postalCode ?? '',
    a?.country ?? '',
    c.parentCompanyId,
    c.ownerId,
    c.teamId,
    c.externalId,
    iso(c.createdAt),
    iso(c.updatedAt),
    ...definitions.map((d) => cell(c.customFields?.[d.key])),
  ];
}
