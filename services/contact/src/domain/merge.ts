// Merge rules: the target keeps its id and its values; lists are united; empty fields are filled from the source.
import type { CustomFieldValues } from '@crm/service-kit';
import { isAddressEmpty, type ContactFields } from './contact.model';
import { withPrimary } from './contact.validation';

export interface MergeableContact extends ContactFields {
  companyName: string;
  companyDomain: string;
}

export interface MergeResult<T extends MergeableContact> {
  merged: T;
  /** ContactInput names of the fields that changed on the target. */
  changedFields: string[];
}

const FILLABLE_TEXT = ['firstName', 'lastName', 'title', 'leadSource', 'externalId'] as const;
const SNAKE: Record<string, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  title: 'title',
  leadSource: 'lead_source',
  externalId: 'external_id',
  emails: 'emails',
  phones: 'phones',
  tags: 'tags',
  companyId: 'company_id',
  address: 'address',
  customFields: 'custom_fields',
  tier: 'tier',
};

export function mergeContacts<T extends MergeableContact>(target: T, source: MergeableContact): MergeResult<T> {
  const merged: T = { ...target };
  for (const key of FILLABLE_TEXT) if (merged[key] === '' && source[key] !== '') merged[key] = source[key];
  merged.emails = withPrimary(
    uniteBy(
      [...target.emails],
      source.emails.map((e) => ({ ...e, primary: false })),
      (e) => e.address,
    ),
  );
  merged.phones = withPrimary(
    uniteBy(
      [...target.phones],
      source.phones.map((p) => ({ ...p, primary: false })),
      (p) => p.number,
    ),
  );
  merged.tags = [...new Set([...target.tags, ...source.tags])];
  if (merged.companyId === '' && source.companyId !== '') {
    merged.companyId = source.companyId;
    merged.companyName = source.companyName;
    merged.companyDomain = source.companyDomain;
  }
  if (isAddressEmpty(merged.address) && !isAddressEmpty(source.address)) merged.address = source.address;
  merged.customFields = fillCustomFields(target.customFields, source.customFields);
  // A VIP is a VIP whichever record said so.
  if (source.tier === 'vip') merged.tier = 'vip';
  // lastActivityAt is not a field of the record: the read model takes it from the activities, which move over.
  const changedFields = Object.keys(SNAKE)
    .filter(
      (key) =>
        JSON.stringify((merged as Record<string, unknown>)[key]) !==
        JSON.stringify((target as Record<string, unknown>)[key]),
    )
    .map((key) => SNAKE[key] ?? key);
  return { merged, changedFields };
}

function uniteBy<T>(base: T[], extra: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set(base.map(key));
  for (const item of extra) {
    if (seen.has(key(item))) continue;
    seen.add(key(item));
    base.push(item);
  }
  return base;
}

function fillCustomFields(target: CustomFieldValues, source: CustomFieldValues): CustomFieldValues {
  const out: CustomFieldValues = { ...target };
  for (const [key, value] of Object.entries(source)) if (!Object.hasOwn(out, key)) out[key] = value;
  return out;
}
