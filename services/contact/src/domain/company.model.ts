// The company as the domain sees it, and validation of a client's company input.
import {
  invalidArgument,
  validateCustomFieldValues,
  type CustomFieldDefinition,
  type CustomFieldValues,
  type FieldViolation,
} from '@crm/service-kit';
import { isAddressEmpty, type Address } from './contact.model';
import { cleanText, normalizeDomain, normalizeWebsite } from './normalize';

export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001+'] as const;
export type CompanySize = (typeof COMPANY_SIZES)[number] | '';

export interface Money {
  amountMinor: number;
  currency: string;
}

export interface CompanyFields {
  name: string;
  domain: string;
  website: string;
  industry: string;
  size: CompanySize;
  annualRevenue: Money | null;
  address: Address | null;
  parentCompanyId: string;
  customFields: CustomFieldValues;
  externalId: string;
}

export interface CompanyInputData {
  name: string;
  domain: string;
  website: string;
  industry: string;
  size: string;
  annualRevenue: Money | undefined | null;
  address: Address | undefined | null;
  parentCompanyId: string;
  customFields: Record<string, unknown> | undefined;
  externalId: string;
}

export const COMPANY_INPUT_FIELDS = {
  name: 'name',
  domain: 'domain',
  website: 'website',
  industry: 'industry',
  size: 'size',
  annual_revenue: 'annualRevenue',
  address: 'address',
  parent_company_id: 'parentCompanyId',
  custom_fields: 'customFields',
  external_id: 'externalId',
} as const satisfies Record<string, keyof CompanyFields>;

export interface CompanyValidationContext {
  definitions: readonly CustomFieldDefinition[];
  requiredFields: readonly string[];
}

export const EMPTY_COMPANY: CompanyFields = {
  name: '',
  domain: '',
  website: '',
  industry: '',
  size: '',
  annualRevenue: null,
  address: null,
  parentCompanyId: '',
  customFields: {},
  externalId: '',
};

export function validateCompany(
  input: CompanyInputData,
  paths: readonly string[] | 'all',
  current: CompanyFields,
  ctx: CompanyValidationContext,
): Partial<CompanyFields> {
  const violations: FieldViolation[] = [];
  const all = paths === 'all';
  const has = (path: keyof typeof COMPANY_INPUT_FIELDS) => all || paths.includes(path);
  if (!all) {
    if (paths.length === 0)
      violations.push({ field: 'updateMask', description: 'must name at least one field to change' });
    for (const path of paths) {
      if (path === 'owner_id' || path === 'team_id')
        violations.push({ field: 'updateMask', description: `"${path}" is set by managers and admins at creation` });
      else if (!(path in COMPANY_INPUT_FIELDS) && !path.startsWith('custom_fields.'))
        violations.push({ field: 'updateMask', description: `"${path}" is not a field of a company` });
    }
  }
  const patch: Partial<CompanyFields> = {};
  if (has('name')) patch.name = cleanText(input.name);
  if (has('website')) patch.website = optional(input.website, normalizeWebsite, 'website', violations);
  if (has('domain') || has('website')) {
    // The domain is derived from the website (or an email) when the client does not give one.
    const source = input.domain.trim() !== '' ? input.domain : (patch.website ?? current.website);
    patch.domain = optional(source, normalizeDomain, 'domain', violations);
  }
  if (has('industry')) patch.industry = cleanText(input.industry);
  if (has('size')) patch.size = size(input.size, violations);
  if (has('annual_revenue')) patch.annualRevenue = money(input.annualRevenue, violations);
  if (has('address'))
    patch.address =
      input.address && !isAddressEmpty(input.address)
        ? { ...input.address, country: input.address.country.trim().toUpperCase() }
        : null;
  if (has('parent_company_id')) patch.parentCompanyId = input.parentCompanyId.trim();
  if (has('external_id')) patch.externalId = cleanText(input.externalId);
  const customPatch =
    all || has('custom_fields')
      ? (input.customFields ?? {})
      : Object.fromEntries(
          paths
            .filter((p) => p.startsWith('custom_fields.'))
            .map((p) => [p.slice(14), input.customFields?.[p.slice(14)] ?? null]),
        );
  if (all || Object.keys(customPatch).length > 0) {
    const custom = validateCustomFieldValues(
      ctx.definitions,
      customPatch,
      all ? { mode: 'create' } : { mode: 'update', existing: current.customFields },
    );
    if (custom.ok) patch.customFields = custom.values;
    else violations.push(...custom.violations);
  }
  const next = { ...current, ...patch };
  if (next.name === '') violations.push({ field: 'name', description: 'is required' });
  if (next.name.length > 200) violations.push({ field: 'name', description: 'must be at most 200 characters' });
  for (const required of ctx.requiredFields) {
    const key = COMPANY_INPUT_FIELDS[required as keyof typeof COMPANY_INPUT_FIELDS] as keyof CompanyFields | undefined;
    if (key && (next[key] === '' || next[key] === null))
      violations.push({ field: key, description: 'is required by the tenant settings' });
  }
  if (violations.length > 0) throw invalidArgument(violations);
  return patch;
}

function optional(
  raw: string,
  normalize: (raw: string) => { ok: true; value: string } | { ok: false; problem: string },
  field: string,
  violations: FieldViolation[],
): string {
  if (raw.trim() === '') return '';
  const result = normalize(raw);
  if (result.ok) return result.value;
  violations.push({ field, description: result.problem });
  return '';
}

function size(raw: string, violations: FieldViolation[]): CompanySize {
  if (raw === '' || (COMPANY_SIZES as readonly string[]).includes(raw)) return raw as CompanySize;
  violations.push({ field: 'size', description: `must be one of: ${COMPANY_SIZES.join(', ')}` });
  return '';
}

function money(raw: Money | undefined | null, violations: FieldViolation[]): Money | null {
  if (!raw || (raw.amountMinor === 0 && raw.currency === '')) return null;
  if (!/^[A-Z]{3}$/.test(raw.currency))
    violations.push({ field: 'annualRevenue.currency', description: 'must be an ISO 4217 code such as USD' });
  if (!Number.isSafeInteger(raw.amountMinor) || raw.amountMinor < 0)
    violations.push({
      field: 'annualRevenue.amountMinor',
      description: 'must be a whole, non-negative number of minor units',
    });
  return { amountMinor: raw.amountMinor, currency: raw.currency };
}
