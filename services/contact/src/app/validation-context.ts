import type { CountryCode } from 'libphonenumber-js';
import type { CustomFieldDefinition } from '@crm/service-kit';
import type { ContactValidationContext } from '../domain/contact.validation';
import { isCountryCode } from '../domain/settings.model';
import type { ContactStore } from '../store/contact-store';

export interface TenantContext extends ContactValidationContext {
  companyDefinitions: readonly CustomFieldDefinition[];
  requiredCompanyFields: readonly string[];
}

/** The tenant's settings and custom field definitions, read on every write (small documents, never stale). */
export async function tenantContext(store: ContactStore, tenantId: string): Promise<TenantContext> {
  const [settings, contactDefs, companyDefs] = await Promise.all([
    store.settings.getSettings(tenantId),
    store.settings.getDefinitions(tenantId, 'contact'),
    store.settings.getDefinitions(tenantId, 'company'),
  ]);
  const region = settings.defaultPhoneRegion || store.defaultRegion;
  return {
    defaultRegion: isCountryCode(region) ? (region as CountryCode) : undefined,
    definitions: contactDefs.definitions,
    requiredFields: settings.requiredContactFields,
    companyDefinitions: companyDefs.definitions,
    requiredCompanyFields: settings.requiredCompanyFields,
  };
}
