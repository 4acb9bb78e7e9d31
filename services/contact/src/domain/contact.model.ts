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

/** Update-mask paths of the owner and team, which the ownership rule decides rather than field validation. */
export const OWNERSHIP_PATHS = ['owner_id', 'team_id'] as const;

/** A mask's paths split into the fields of the contact and whether it names the owner or the team. */
export function splitMask(paths: readonly string[]): { fields: string[]; owner: boolean; team: boolean } {
  return {
    fields: paths.filter((p) => !(OWNERSHIP_PATHS as readonly string[]).includes(p)),
    owner: paths.includes('owner_id'),
    team: paths.includes('team_id'),
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
  companyDomain: 'company_domain',
  deletedAt: 'deleted_at',
};

/** ContactInput names of changed record keys, for changed_fields in events. */
export function inputNames(keys: readonly string[]): string[] {
  return [...new Set(keys.map((k) => INPUT_NAME[k] ?? k))];
}

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

export type ContactKeyKind = 'email' | 'phone' | 'ext';

/** Keys that make a contact unique in its tenant (uniqueness claims are made under them). */
export function uniqueKeysOf(
  contact: Pick<ContactFields, 'emails' | 'phones' | 'externalId'>,
): Array<{ kind: ContactKeyKind; value: string }> {
  return [
    ...contact.emails.map((e) => ({ kind: 'email' as const, value: e.address })),
    ...contact.phones.map((p) => ({ kind: 'phone' as const, value: p.number })),
    ...(contact.externalId ? [{ kind: 'ext' as const, value: contact.externalId }] : []),
  ];
}

export function displayName(contact: Pick<ContactFields, 'firstName' | 'lastName'>): string {
  return [contact.firstName, contact.lastName].filter((s) => s).join(' ');
}
