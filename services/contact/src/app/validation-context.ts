import type { CountryCode } from 'libphonenumber-js';
import type { CustomFieldDefinition } from '@crm/service-kit';
import type { ContactValidationContext } from '../domain/contact.validation';
import { isCountryCode } from '../domain/settings.model';
import type { ContactStore } from '../store/contact-store';

export interface TenantContext extends ContactValidationContext {
  companyDefinitions: readonly CustomFieldDefinition[];
  requiredCompanyFields: readonly string[];
}

/**
 * The tenant's settings and custom field definitions, which every write validates against: one read-model query
 * (not three record reads), so that a PATCH stays within its store round trips. The settings' own writes update
 * the read model in their request, so a write that follows one sees it.
 */
export async function tenantContext(store: ContactStore, tenantId: string): Promise<TenantContext> {
  const rules = await store.read.settings.rules(tenantId);
  const region = rules.settings?.defaultPhoneRegion || store.defaultRegion;
  return {
    defaultRegion: isCountryCode(region) ? (region as CountryCode) : undefined,
    definitions: rules.contactDefinitions,
    requiredFields: rules.settings?.requiredContactFields ?? [],
    companyDefinitions: rules.companyDefinitions,
    requiredCompanyFields: rules.settings?.requiredCompanyFields ?? [],
  };
}
