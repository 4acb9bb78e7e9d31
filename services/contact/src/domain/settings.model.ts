// Per-tenant settings of the contact service: the phone region and which fields are required.
import { getCountries, type CountryCode } from 'libphonenumber-js';
import { invalidArgument, type FieldViolation } from '@crm/service-kit';
import { CONTACT_INPUT_FIELDS } from './contact.model';
import { COMPANY_INPUT_FIELDS } from './company.model';

export interface TenantSettingsFields {
  defaultPhoneRegion: string;
  requiredContactFields: string[];
  requiredCompanyFields: string[];
}

export const CUSTOM_FIELD_ENTITIES = ['contact', 'company'] as const;
export type CustomFieldEntity = (typeof CUSTOM_FIELD_ENTITIES)[number];

export function isCountryCode(value: string): value is CountryCode {
  return (getCountries() as string[]).includes(value);
}

export function validateSettings(input: TenantSettingsFields): TenantSettingsFields {
  const violations: FieldViolation[] = [];
  const region = input.defaultPhoneRegion.trim().toUpperCase();
  if (region !== '' && !isCountryCode(region))
    violations.push({
      field: 'settings.defaultPhoneRegion',
      description: 'must be an ISO 3166-1 alpha-2 region with a phone plan, e.g. US',
    });
  const contact = [...new Set(input.requiredContactFields)];
  contact.forEach((f, i) => {
    if (!(f in CONTACT_INPUT_FIELDS))
      violations.push({ field: `settings.requiredContactFields[${i}]`, description: `"${f}" is not a contact field` });
  });
  const company = [...new Set(input.requiredCompanyFields)];
  company.forEach((f, i) => {
    if (!(f in COMPANY_INPUT_FIELDS))
      violations.push({ field: `settings.requiredCompanyFields[${i}]`, description: `"${f}" is not a company field` });
  });
  if (violations.length > 0) throw invalidArgument(violations);
  return { defaultPhoneRegion: region, requiredContactFields: contact, requiredCompanyFields: company };
}

export function parseEntity(raw: string): CustomFieldEntity {
  if ((CUSTOM_FIELD_ENTITIES as readonly string[]).includes(raw)) return raw as CustomFieldEntity;
  throw invalidArgument([{ field: 'entity', description: `must be one of: ${CUSTOM_FIELD_ENTITIES.join(', ')}` }]);
}
