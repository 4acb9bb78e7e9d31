// Turns a client's contact input into normalised fields, or every violation at once (INVALID_ARGUMENT).
import type { CountryCode } from 'libphonenumber-js';
import {
  invalidArgument,
  validateCustomFieldValues,
  type CustomFieldDefinition,
  type CustomFieldValues,
  type FieldViolation,
} from '@crm/service-kit';
import {
  CONTACT_INPUT_FIELDS,
  LIFECYCLE_STAGES,
  TIERS,
  isAddressEmpty,
  type Address,
  type ContactFields,
  type ContactInputField,
  type EmailEntry,
  type LifecycleStage,
  type PhoneEntry,
  type Tier,
} from './contact.model';
import { cleanText, normalizeEmail, normalizePhone, normalizeTags } from './normalize';

export const MAX_EMAILS = 20;
export const MAX_PHONES = 20;
export const MAX_TAGS = 50;
const MAX_TEXT = 200;

/** What a client sends (the proto's ContactInput, before any normalisation). */
export interface ContactInputData {
  firstName: string;
  lastName: string;
  emails: Array<{ address: string; primary: boolean; label: string }>;
  phones: Array<{ number: string; primary: boolean; label: string }>;
  title: string;
  companyId: string;
  lifecycleStage: string;
  leadSource: string;
  tags: string[];
  tier: string;
  address: Address | undefined | null;
  customFields: Record<string, unknown> | undefined;
  externalId: string;
}

export interface ContactValidationContext {
  defaultRegion: CountryCode | undefined;
  definitions: readonly CustomFieldDefinition[];
  /** Fields the tenant requires (ContactInput names). */
  requiredFields: readonly string[];
}

export type ContactPatch = Partial<ContactFields>;

/** Validates a complete new contact; defaults fill what the input leaves empty. */
export function validateNewContact(
  input: ContactInputData,
  ctx: ContactValidationContext,
  base: ContactFields,
): ContactFields {
  const violations: FieldViolation[] = [];
  const fields: ContactFields = {
    ...base,
    firstName: text(input.firstName, 'firstName', violations),
    lastName: text(input.lastName, 'lastName', violations),
    emails: emails(input.emails, violations),
    phones: phones(input.phones, ctx.defaultRegion, violations),
    title: text(input.title, 'title', violations),
    companyId: input.companyId.trim(),
    lifecycleStage: input.lifecycleStage === '' ? base.lifecycleStage : stage(input.lifecycleStage, violations),
    leadSource: text(input.leadSource, 'leadSource', violations),
    tags: tags(input.tags, violations),
    tier: input.tier === '' ? base.tier : tier(input.tier, violations),
    address: address(input.address),
    externalId: text(input.externalId, 'externalId', violations),
  };
  const custom = validateCustomFieldValues(ctx.definitions, input.customFields ?? {}, {
    mode: 'create',
    defaultRegion: ctx.defaultRegion,
  });
  if (custom.ok) fields.customFields = custom.values;
  else violations.push(...custom.violations);
  violations.push(...missingRequired(fields, ctx.requiredFields));
  if (violations.length > 0) throw invalidArgument(violations);
  return fields;
}

/**
 * Validates the paths of an update mask over the current fields and returns the changed fields only. Paths are
 * ContactInput names; "custom_fields.<key>" patches one custom field.
 */
export function validateContactPatch(
  input: ContactInputData,
  paths: readonly string[],
  current: ContactFields,
  ctx: ContactValidationContext,
): ContactPatch {
  const violations: FieldViolation[] = [];
  if (paths.length === 0)
    throw invalidArgument([{ field: 'updateMask', description: 'must name at least one field to change' }]);
  const patch: ContactPatch = {};
  const customPatch: Record<string, unknown> = {};
  for (const path of paths) {
    if (path === 'owner_id' || path === 'team_id') {
      violations.push({ field: `updateMask`, description: `"${path}" is decided by the ownership rule` });
      continue;
    }
    if (path.startsWith('custom_fields.')) {
      const key = path.slice('custom_fields.'.length);
      customPatch[key] = input.customFields?.[key] ?? null;
      continue;
    }
    if (!(path in CONTACT_INPUT_FIELDS)) {
      violations.push({ field: 'updateMask', description: `"${path}" is not a field of a contact` });
      continue;
    }
    applyPath(path as ContactInputField, input, patch, customPatch, ctx, violations);
  }
  if (Object.keys(customPatch).length > 0) {
    const custom = validateCustomFieldValues(ctx.definitions, customPatch, {
      mode: 'update',
      existing: current.customFields,
      defaultRegion: ctx.defaultRegion,
    });
    if (custom.ok) patch.customFields = custom.values;
    else violations.push(...custom.violations);
  }
  violations.push(...missingRequired({ ...current, ...patch }, ctx.requiredFields));
  if (violations.length > 0) throw invalidArgument(violations);
  return withoutUnchanged(patch, current);
}

function applyPath(
  path: ContactInputField,
  input: ContactInputData,
  patch: ContactPatch,
  customPatch: Record<string, unknown>,
  ctx: ContactValidationContext,
  violations: FieldViolation[],
): void {
  switch (path) {
    case 'first_name':
    case 'last_name':
    case 'title':
    case 'lead_source':
    case 'external_id': {
      const key = CONTACT_INPUT_FIELDS[path];
      patch[key] = text(input[key], key, violations);
      return;
    }
    case 'emails':
      patch.emails = emails(input.emails, violations);
      return;
    case 'phones':
      patch.phones = phones(input.phones, ctx.defaultRegion, violations);
      return;
    case 'company_id':
      patch.companyId = input.companyId.trim();
      return;
    case 'lifecycle_stage':
      patch.lifecycleStage = stage(input.lifecycleStage, violations);
      return;
    case 'tags':
      patch.tags = tags(input.tags, violations);
      return;
    case 'tier':
      patch.tier = tier(input.tier, violations);
      return;
    case 'address':
      patch.address = address(input.address);
      return;
    case 'custom_fields':
      // The whole object: every key it names is patched; keys it omits keep their value.
      Object.assign(customPatch, input.customFields ?? {});
      return;
  }
}

function withoutUnchanged(patch: ContactPatch, current: ContactFields): ContactPatch {
  const changed: ContactPatch = {};
  for (const [key, value] of Object.entries(patch) as Array<[keyof ContactFields, unknown]>) {
    if (JSON.stringify(value) !== JSON.stringify(current[key])) (changed as Record<string, unknown>)[key] = value;
  }
  return changed;
}

function text(raw: string, field: string, violations: FieldViolation[]): string {
  const value = cleanText(raw);
  if (value.length > MAX_TEXT) violations.push({ field, description: `must be at most ${MAX_TEXT} characters` });
  return value;
}

function emails(raw: ContactInputData['emails'], violations: FieldViolation[]): EmailEntry[] {
  if (raw.length > MAX_EMAILS)
    violations.push({ field: 'emails', description: `must have at most ${MAX_EMAILS} entries` });
  const out: EmailEntry[] = [];
  raw.forEach((entry, index) => {
    const normalized = normalizeEmail(entry.address);
    if (!normalized.ok) return violations.push({ field: `emails[${index}].address`, description: normalized.problem });
    if (out.some((e) => e.address === normalized.value))
      return violations.push({ field: `emails[${index}].address`, description: 'is listed twice' });
    out.push({ address: normalized.value, primary: entry.primary, label: cleanText(entry.label) });
  });
  if (raw.filter((e) => e.primary).length > 1)
    violations.push({ field: 'emails', description: 'must have at most one primary entry' });
  return withPrimary(out);
}

function phones(
  raw: ContactInputData['phones'],
  region: CountryCode | undefined,
  violations: FieldViolation[],
): PhoneEntry[] {
  if (raw.length > MAX_PHONES)
    violations.push({ field: 'phones', description: `must have at most ${MAX_PHONES} entries` });
  const out: PhoneEntry[] = [];
  raw.forEach((entry, index) => {
    const normalized = normalizePhone(entry.number, region);
    if (!normalized.ok) return violations.push({ field: `phones[${index}].number`, description: normalized.problem });
    if (out.some((p) => p.number === normalized.value))
      return violations.push({ field: `phones[${index}].number`, description: 'is listed twice' });
    out.push({ number: normalized.value, primary: entry.primary, label: cleanText(entry.label) });
  });
  if (raw.filter((p) => p.primary).length > 1)
    violations.push({ field: 'phones', description: 'must have at most one primary entry' });
  return withPrimary(out);
}

/** Exactly one primary when there is any entry: the first one unless the client chose. */
export function withPrimary<T extends { primary: boolean }>(entries: T[]): T[] {
  if (entries.length === 0 || entries.filter((e) => e.primary).length === 1) return entries;
  return entries.map((e, i) => ({ ...e, primary: i === 0 }));
}

function stage(raw: string, violations: FieldViolation[]): LifecycleStage {
  if ((LIFECYCLE_STAGES as readonly string[]).includes(raw)) return raw as LifecycleStage;
  violations.push({ field: 'lifecycleStage', description: `must be one of: ${LIFECYCLE_STAGES.join(', ')}` });
  return 'lead';
}

function tier(raw: string, violations: FieldViolation[]): Tier {
  if ((TIERS as readonly string[]).includes(raw)) return raw as Tier;
  violations.push({ field: 'tier', description: `must be one of: ${TIERS.join(', ')}` });
  return 'standard';
}

function tags(raw: readonly string[], violations: FieldViolation[]): string[] {
  const out = normalizeTags(raw);
  if (out.length > MAX_TAGS) violations.push({ field: 'tags', description: `must have at most ${MAX_TAGS} tags` });
  if (out.some((t) => t.length > 50))
    violations.push({ field: 'tags', description: 'each tag must be at most 50 characters' });
  return out;
}

function address(raw: Address | undefined | null): Address | null {
  if (!raw) return null;
  const cleaned: Address = {
    street: cleanText(raw.street),
    city: cleanText(raw.city),
    region: cleanText(raw.region),
    postalCode: cleanText(raw.postalCode),
    country: cleanText(raw.country).toUpperCase(),
  };
  return isAddressEmpty(cleaned) ? null : cleaned;
}

/** Tenant-required fields that are empty, named as the client writes them. */
export function missingRequired(fields: ContactFields, required: readonly string[]): FieldViolation[] {
  const violations: FieldViolation[] = [];
  for (const name of required) {
    const key = CONTACT_INPUT_FIELDS[name as ContactInputField] as keyof ContactFields | undefined;
    if (!key) continue;
    const value = fields[key];
    const empty =
      value === '' ||
      value === null ||
      (Array.isArray(value) && value.length === 0) ||
      (key === 'customFields' && Object.keys(value as CustomFieldValues).length === 0);
    if (empty) violations.push({ field: key, description: 'is required by the tenant settings' });
  }
  return violations;
}
