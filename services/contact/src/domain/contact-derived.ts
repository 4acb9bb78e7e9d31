// Fields the store derives from a contact so that search, dedup and uniqueness are plain index lookups.
import type { ContactFields } from './contact.model';
import { nameKey } from './duplicates';
import { contactSearchTokens } from './search-tokens';

export interface DerivedContactFields {
  searchTokens: string[];
  emailKeys: string[];
  phoneKeys: string[];
  nameKey: string;
}

export function deriveContactFields(
  contact: Pick<ContactFields, 'firstName' | 'lastName' | 'emails' | 'phones'> & { companyName: string },
): DerivedContactFields {
  return {
    searchTokens: contactSearchTokens(contact),
    emailKeys: contact.emails.map((e) => e.address),
    phoneKeys: contact.phones.map((p) => p.number),
    nameKey: nameKey(contact),
  };
}

const INPUT_NAME: Partial<Record<string, string>> = {
  firstName: 'first_name',
  lastName: 'last_name',
  companyId: 'company_id',
  lifecycleStage: 'lifecycle_stage',
  leadSource: 'lead_source',
  customFields: 'custom_fields',
  externalId: 'external_id',
  ownerId: 'owner_id',
  teamId: 'team_id',
  companyName: 'company_name',
};

/** ContactInput names of changed domain keys, for changed_fields in events. */
export function inputNames(keys: readonly string[]): string[] {
  return keys.filter((k) => INPUT_NAME[k] !== undefined || /^[a-z]+$/.test(k)).map((k) => INPUT_NAME[k] ?? k);
}
