// The contact as the domain sees it: writable fields, the constants they draw from, and derived keys.
import type { CustomFieldValues } from '@crm/service-kit';

export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketing_qualified',
  'sales_qualified',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export const TIERS = ['standard', 'vip'] as const;
export type Tier = (typeof TIERS)[number];

export interface EmailEntry {
  address: string;
  primary: boolean;
  label: string;
}

export interface PhoneEntry {
  number: string;
  primary: boolean;
  label: string;
}

export interface Address {
  street: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

/** Everything a client may write on a contact (owner and team go through their own rules). */
export interface ContactFields {
  firstName: string;
  lastName: string;
  emails: EmailEntry[];
  phones: PhoneEntry[];
  title: string;
  companyId: string;
  lifecycleStage: LifecycleStage;
  leadSource: string;
  tags: string[];
  tier: Tier;
  address: Address | null;
  customFields: CustomFieldValues;
  externalId: string;
}

/** Input field names as clients write them (proto field names), mapped to ContactFields keys. */
export const CONTACT_INPUT_FIELDS = {
  first_name: 'firstName',
  last_name: 'lastName',
  emails: 'emails',
  phones: 'phones',
  title: 'title',
  company_id: 'companyId',
  lifecycle_stage: 'lifecycleStage',
  lead_source: 'leadSource',
  tags: 'tags',
  tier: 'tier',
  address: 'address',
  custom_fields: 'customFields',
  external_id: 'externalId',
} as const satisfies Record<string, keyof ContactFields>;

export type ContactInputField = keyof typeof CONTACT_INPUT_FIELDS;

export const EMPTY_CONTACT: ContactFields = {
  firstName: '',
  lastName: '',
  emails: [],
  phones: [],
  title: '',
  companyId: '',
  lifecycleStage: 'lead',
  leadSource: '',
  tags: [],
  tier: 'standard',
  address: null,
  customFields: {},
  externalId: '',
};

export function isAddressEmpty(address: Address | null | undefined): boolean {
  return !address || Object.values(address).every((v) => v === '');
}

export function primaryEmail(contact: Pick<ContactFields, 'emails'>): string {
  return (contact.emails.find((e) => e.primary) ?? contact.emails[0])?.address ?? '';
}

/** Keys that make a contact unique in its tenant; claims are inserted under them. */
export function uniqueKeysOf(contact: Pick<ContactFields, 'emails' | 'phones' | 'externalId'>): {
  emails: string[];
  phones: string[];
  externalId: string;
} {
  return {
    emails: contact.emails.map((e) => e.address),
    phones: contact.phones.map((p) => p.number),
    externalId: contact.externalId,
  };
}

export function displayName(contact: Pick<ContactFields, 'firstName' | 'lastName'>): string {
  return [contact.firstName, contact.lastName].filter((s) => s).join(' ');
}
