// Maps CSV rows to contact or company input through a column mapping, and records back to CSV/NDJSON rows.
// Export and import share the column names, so an exported file imports again as it is.
import { invalidArgument, type CustomFieldDefinition, type FieldViolation } from '@crm/service-kit';
import type { ContactInputData } from './contact.validation';
import type { CompanyInputData } from './company.model';

export const IMPORT_ENTITIES = ['contact', 'company'] as const;
export type ImportEntity = (typeof IMPORT_ENTITIES)[number];
export type MatchBy = 'email' | 'domain' | 'external_id';

export const CONTACT_COLUMNS = [
  'id',
  'first_name',
  'last_name',
  'email',
  'emails',
  'phone',
  'phones',
  'title',
  'company_id',
  'company_domain',
  'company_name',
  'lifecycle_stage',
  'lead_source',
  'tags',
  'tier',
  'street',
  'city',
  'region',
  'postal_code',
  'country',
  'owner_id',
  'team_id',
  'external_id',
  'last_activity_at',
  'created_at',
  'updated_at',
] as const;
export const COMPANY_COLUMNS = [
  'id',
  'name',
  'domain',
  'website',
  'industry',
  'size',
  'annual_revenue_minor',
  'currency',
  'street',
  'city',
  'region',
  'postal_code',
  'country',
  'parent_company_id',
  'owner_id',
  'team_id',
  'external_id',
  'created_at',
  'updated_at',
] as const;

/** Columns an import may write (export-only ones such as id and timestamps are not among them). */
const CONTACT_IMPORT_FIELDS = new Set<string>([
  'first_name',
  'last_name',
  'email',
  'emails',
  'phone',
  'phones',
  'title',
  'company_id',
  'company_domain',
  'lifecycle_stage',
  'lead_source',
  'tags',
  'tier',
  'street',
  'city',
  'region',
  'postal_code',
  'country',
  'external_id',
]);
const COMPANY_IMPORT_FIELDS = new Set<string>([
  'name',
  'domain',
  'website',
  'industry',
  'size',
  'annual_revenue_minor',
  'currency',
  'street',
  'city',
  'region',
  'postal_code',
  'country',
  'parent_company_id',
  'external_id',
]);

export interface ColumnMapping {
  column: string;
  field: string;
}

export function parseImportEntity(raw: string): ImportEntity {
  if ((IMPORT_ENTITIES as readonly string[]).includes(raw)) return raw as ImportEntity;
  throw invalidArgument([{ field: 'header.entity', description: 'must be contact or company' }]);
}

export function parseMatchBy(entity: ImportEntity, raw: string): MatchBy {
  const allowed: MatchBy[] = entity === 'contact' ? ['email', 'external_id'] : ['domain', 'external_id'];
  if (raw === '') return allowed[0] as MatchBy;
  if ((allowed as string[]).includes(raw)) return raw as MatchBy;
  throw invalidArgument([{ field: 'header.matchBy', description: `must be one of: ${allowed.join(', ')}` }]);
}

/** Checks a mapping before any byte is stored: every target must be a writable field or a defined custom field. */
export function validateMapping(
  entity: ImportEntity,
  mapping: readonly ColumnMapping[],
  definitions: readonly CustomFieldDefinition[],
): ColumnMapping[] {
  const allowed = entity === 'contact' ? CONTACT_IMPORT_FIELDS : COMPANY_IMPORT_FIELDS;
  const keys = new Set(definitions.filter((d) => !d.archived).map((d) => d.key));
  const violations: FieldViolation[] = [];
  mapping.forEach((m, i) => {
    if (m.column.trim() === '') violations.push({ field: `header.mapping[${i}].column`, description: 'is required' });
    const custom = m.field.startsWith('custom_fields.') ? m.field.slice(14) : undefined;
    if (custom !== undefined ? !keys.has(custom) : !allowed.has(m.field))
      violations.push({
        field: `header.mapping[${i}].field`,
        description: `"${m.field}" is not an importable ${entity} field`,
      });
  });
  if (violations.length > 0) throw invalidArgument(violations);
  return [...mapping];
}

/** Field → value of one CSV record; without a mapping, headers that name a field map to it. */
export function mappedValues(
  record: Record<string, string>,
  mapping: readonly ColumnMapping[],
  entity: ImportEntity,
): Map<string, string> {
  const values = new Map<string, string>();
  if (mapping.length === 0) {
    const allowed = entity === 'contact' ? CONTACT_IMPORT_FIELDS : COMPANY_IMPORT_FIELDS;
    for (const [column, value] of Object.entries(record))
      if (allowed.has(column) || column.startsWith('custom_fields.')) values.set(column, value.trim());
    return values;
  }
  for (const m of mapping) {
    const value = record[m.column];
    if (value !== undefined) values.set(m.field, value.trim());
  }
  return values;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(/[;,|]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** CSV cells are text; custom fields are typed. */
function customValues(
  values: Map<string, string>,
  definitions: readonly CustomFieldDefinition[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, raw] of values) {
    if (!field.startsWith('custom_fields.') || raw === '') continue;
    const key = field.slice(14);
    const type = definitions.find((d) => d.key === key)?.type;
    if (type === 'number') out[key] = raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    else if (type === 'boolean')
      out[key] = /^(true|yes|1)$/i.test(raw) ? true : /^(false|no|0)$/i.test(raw) ? false : raw;
    else if (type === 'multi_select') out[key] = list(raw);
    else out[key] = raw;
  }
  return out;
}

export interface ContactRow {
  input: ContactInputData;
  companyDomain: string;
}

export function contactRowInput(
  values: Map<string, string>,
  definitions: readonly CustomFieldDefinition[],
): ContactRow {
  const get = (f: string) => values.get(f) ?? '';
  const emails = [...(get('email') ? [get('email')] : []), ...list(get('emails'))];
  const phones = [...(get('phone') ? [get('phone')] : []), ...list(get('phones'))];
  const address = {
    street: get('street'),
    city: get('city'),
    region: get('region'),
    postalCode: get('postal_code'),
    country: get('country'),
  };
  return {
    companyDomain: get('company_domain'),
    input: {
      firstName: get('first_name'),
      lastName: get('last_name'),
      emails: [...new Set(emails)].map((address, i) => ({ address, primary: i === 0, label: '' })),
      phones: [...new Set(phones)].map((number, i) => ({ number, primary: i === 0, label: '' })),
      title: get('title'),
      companyId: get('company_id'),
      lifecycleStage: get('lifecycle_stage'),
      leadSource: get('lead_source'),
      tags: list(get('tags')),
      tier: get('tier'),
      address: Object.values(address).some((v) => v) ? address : null,
      customFields: customValues(values, definitions),
      externalId: get('external_id'),
    },
  };
}

export function companyRowInput(
  values: Map<string, string>,
  definitions: readonly CustomFieldDefinition[],
): { input: CompanyInputData; problems: FieldViolation[] } {
  const get = (f: string) => values.get(f) ?? '';
  const problems: FieldViolation[] = [];
  const amount = get('annual_revenue_minor');
  if (amount !== '' && !/^\d+$/.test(amount))
    problems.push({ field: 'annual_revenue_minor', description: 'must be a whole number of minor units' });
  const address = {
    street: get('street'),
    city: get('city'),
    region: get('region'),
    postalCode: get('postal_code'),
    country: get('country'),
  };
  return {
    problems,
    input: {
      name: get('name'),
      domain: get('domain'),
      website: get('website'),
      industry: get('industry'),
      size: get('size'),
      annualRevenue:
        amount !== '' && /^\d+$/.test(amount)
          ? { amountMinor: Number(amount), currency: get('currency').toUpperCase() }
          : null,
      address: Object.values(address).some((v) => v) ? address : null,
      parentCompanyId: get('parent_company_id'),
      customFields: customValues(values, definitions),
      externalId: get('external_id'),
    },
  };
}
