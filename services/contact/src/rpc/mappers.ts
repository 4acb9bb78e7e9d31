// proto <-> domain, nothing else.
import type { Activity, ActivityInput } from '@crm/proto/crm/contact/v1/activity';
import type { Company, CompanyInput } from '@crm/proto/crm/contact/v1/company';
import type { Contact, ContactInput, PostalAddress } from '@crm/proto/crm/contact/v1/contact';
import type { CustomFieldDefinition as ProtoDefinition, TenantSettings } from '@crm/proto/crm/contact/v1/settings';
import type { ImportJob } from '@crm/proto/crm/contact/v1/import';
import type { CustomFieldDefinition } from '@crm/service-kit';
import type { ActivityInputData } from '../domain/activity.model';
import type { CompanyInputData } from '../domain/company.model';
import type { Address } from '../domain/contact.model';
import type { ContactInputData } from '../domain/contact.validation';
import type { ActivityDoc, CompanyDoc, ContactDoc, ImportJobDoc } from '../store/records';
import type { TenantSettingsView } from '../app/settings.service';

const date = (d: Date | null | undefined): Date | undefined => d ?? undefined;

function toProtoAddress(address: Address | null): PostalAddress | undefined {
  return address
    ? {
        street: address.street,
        city: address.city,
        region: address.region,
        postalCode: address.postalCode,
        country: address.country,
      }
    : undefined;
}

/** A contact for the wire; lastActivityAt comes from the read model (events carry it with activity.logged). */
export function toProtoContact(doc: ContactDoc & { lastActivityAt?: Date | null }): Contact {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    firstName: doc.firstName,
    lastName: doc.lastName,
    emails: doc.emails.map((e) => ({ address: e.address, primary: e.primary, label: e.label })),
    phones: doc.phones.map((p) => ({ number: p.number, primary: p.primary, label: p.label })),
    title: doc.title,
    companyId: doc.companyId,
    lifecycleStage: doc.lifecycleStage,
    leadSource: doc.leadSource,
    tags: doc.tags,
    tier: doc.tier,
    address: toProtoAddress(doc.address),
    ownerId: doc.ownerId,
    teamId: doc.teamId,
    customFields: doc.customFields ?? {},
    lastActivityAt: date(doc.lastActivityAt ?? null),
    externalId: doc.externalId,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    deletedAt: date(doc.deletedAt),
    mergedInto: doc.mergedInto,
    companyName: doc.companyName,
    erasedAt: date(doc.erasedAt),
  };
}

export function fromProtoContactInput(input: ContactInput | undefined): ContactInputData {
  return {
    firstName: input?.firstName ?? '',
    lastName: input?.lastName ?? '',
    emails: input?.emails ?? [],
    phones: input?.phones ?? [],
    title: input?.title ?? '',
    companyId: input?.companyId ?? '',
    lifecycleStage: input?.lifecycleStage ?? '',
    leadSource: input?.leadSource ?? '',
    tags: input?.tags ?? [],
    tier: input?.tier ?? '',
    address: input?.address ?? null,
    customFields: input?.customFields,
    externalId: input?.externalId ?? '',
  };
}

export function toProtoCompany(doc: CompanyDoc): Company {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    name: doc.name,
    domain: doc.domain,
    website: doc.website,
    industry: doc.industry,
    size: doc.size,
    annualRevenue: doc.annualRevenue ?? undefined,
    address: toProtoAddress(doc.address),
    parentCompanyId: doc.parentCompanyId,
    ownerId: doc.ownerId,
    teamId: doc.teamId,
    customFields: doc.customFields ?? {},
    externalId: doc.externalId,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    deletedAt: date(doc.deletedAt),
  };
}

export function fromProtoCompanyInput(input: CompanyInput | undefined): CompanyInputData {
  return {
    name: input?.name ?? '',
    domain: input?.domain ?? '',
    website: input?.website ?? '',
    industry: input?.industry ?? '',
    size: input?.size ?? '',
    annualRevenue: input?.annualRevenue ?? null,
    address: input?.address ?? null,
    parentCompanyId: input?.parentCompanyId ?? '',
    customFields: input?.customFields,
    externalId: input?.externalId ?? '',
  };
}

export function toProtoActivity(doc: ActivityDoc): Activity {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    type: doc.type,
    contactId: doc.contactId,
    companyId: doc.companyId,
    dealId: doc.dealId,
    ticketId: doc.ticketId,
    subject: doc.subject,
    body: doc.body,
    occurredAt: doc.occurredAt,
    call: doc.call ?? undefined,
    email: doc.email ?? undefined,
    meeting: doc.meeting ?? undefined,
    ownerId: doc.ownerId,
    teamId: doc.teamId,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    deletedAt: date(doc.deletedAt),
  };
}

export function fromProtoActivityInput(input: ActivityInput | undefined): ActivityInputData {
  return {
    type: input?.type ?? '',
    contactId: input?.contactId ?? '',
    companyId: input?.companyId ?? '',
    dealId: input?.dealId ?? '',
    ticketId: input?.ticketId ?? '',
    subject: input?.subject ?? '',
    body: input?.body ?? '',
    occurredAt: input?.occurredAt,
    call: input?.call,
    email: input?.email,
    meeting: input?.meeting,
  };
}

export function toProtoSettings(doc: TenantSettingsView): TenantSettings {
  return {
    defaultPhoneRegion: doc.defaultPhoneRegion,
    requiredContactFields: doc.requiredContactFields,
    requiredCompanyFields: doc.requiredCompanyFields,
    version: doc.version,
    updatedAt: doc.updatedAt,
  };
}

export function toProtoDefinition(d: CustomFieldDefinition): ProtoDefinition {
  return {
    key: d.key,
    label: d.label,
    type: d.type,
    required: d.required,
    archived: d.archived,
    description: d.description ?? '',
    options: (d.options ?? []).map((o) => ({ value: o.value, label: o.label, archived: o.archived ?? false })),
    maxLength: d.maxLength,
    min: d.min,
    max: d.max,
    integer: d.integer ?? false,
  };
}

/** To the kit's definition input: proto defaults (empty strings, false) become "not set" where the kit's schema wants that. */
export function fromProtoDefinition(d: ProtoDefinition): Record<string, unknown> {
  const selects = d.type === 'single_select' || d.type === 'multi_select';
  return {
    key: d.key,
    label: d.label,
    type: d.type,
    required: d.required,
    archived: d.archived,
    ...(d.description ? { description: d.description } : {}),
    ...(selects || d.options.length > 0
      ? {
          options: d.options.map((o) => ({
            value: o.value,
            label: o.label,
            ...(o.archived ? { archived: true } : {}),
          })),
        }
      : {}),
    ...(d.maxLength !== undefined ? { maxLength: d.maxLength } : {}),
    ...(d.min !== undefined ? { min: d.min } : {}),
    ...(d.max !== undefined ? { max: d.max } : {}),
    ...(d.integer ? { integer: true } : {}),
  };
}

export function toProtoImportJob(doc: ImportJobDoc): ImportJob {
  return {
    id: doc._id,
    entity: doc.entity,
    fileName: doc.fileName,
    status: doc.status,
    rowsTotal: doc.rowsTotal,
    rowsDone: doc.rowsDone,
    createdCount: doc.createdCount,
    updatedCount: doc.updatedCount,
    unchangedCount: doc.unchangedCount,
    errorCount: doc.errorCount,
    errors: doc.firstErrors,
    failureMessage: doc.failureMessage,
    ownerId: doc.ownerId,
    sizeBytes: doc.sizeBytes,
    createdAt: doc.createdAt,
    startedAt: date(doc.startedAt),
    finishedAt: date(doc.finishedAt),
    mapping: doc.mapping,
    matchBy: doc.matchBy,
  };
}
