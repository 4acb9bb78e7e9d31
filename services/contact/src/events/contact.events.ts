// Outbox payload builders: each event carries what consumers need, so none has to call back.
import {
  ContactChanged,
  ContactErased,
  ContactMerged,
  CompanyChanged,
  ActivityLogged,
} from '@crm/proto/crm/contact/v1/events';
import { toOutboxEntry, type OutboxEntry, type Principal } from '@crm/service-kit';
import { toProtoActivity, toProtoCompany, toProtoContact } from '../rpc/mappers';
import type { ActivityDoc } from '../store/activity.schema';
import type { CompanyDoc } from '../store/company.schema';
import type { ContactDoc } from '../store/contact.schema';

export type ContactEventType = 'contact.created' | 'contact.updated' | 'contact.deleted' | 'contact.restored';
export type CompanyEventType = 'company.created' | 'company.updated' | 'company.deleted' | 'company.restored';

type Actor = Pick<Principal, 'userId' | 'clientId'>;

const PACKAGE = 'crm.contact.v1';

export function contactChangedEntry(
  type: ContactEventType,
  contact: ContactDoc,
  changedFields: string[],
  actor: Actor,
  namespace: string,
): OutboxEntry {
  const payload = ContactChanged.encode({ contact: toProtoContact(contact), changedFields }).finish();
  return toOutboxEntry(
    {
      type,
      tenantId: contact.tenantId,
      aggregateId: contact._id,
      aggregateVersion: contact.version,
      ownerId: contact.ownerId,
      teamId: contact.teamId,
      payloadType: `${PACKAGE}.ContactChanged`,
      payload,
    },
    actor,
    namespace,
  );
}

export function contactMergedEntry(
  target: ContactDoc,
  sourceId: string,
  activitiesMoved: number,
  actor: Actor,
  namespace: string,
): OutboxEntry {
  const payload = ContactMerged.encode({
    sourceId,
    targetId: target._id,
    target: toProtoContact(target),
    activitiesMoved,
  }).finish();
  return toOutboxEntry(
    {
      type: 'contact.merged',
      tenantId: target.tenantId,
      aggregateId: target._id,
      aggregateVersion: target.version,
      ownerId: target.ownerId,
      teamId: target.teamId,
      payloadType: `${PACKAGE}.ContactMerged`,
      payload,
    },
    actor,
    namespace,
  );
}

export function contactErasedEntry(
  contact: Pick<ContactDoc, '_id' | 'tenantId' | 'version' | 'ownerId' | 'teamId'>,
  erasedAt: Date,
  actor: Actor,
  namespace: string,
): OutboxEntry {
  const payload = ContactErased.encode({ contactId: contact._id, erasedAt }).finish();
  return toOutboxEntry(
    {
      type: 'contact.erased',
      tenantId: contact.tenantId,
      aggregateId: contact._id,
      aggregateVersion: contact.version,
      ownerId: contact.ownerId,
      teamId: contact.teamId,
      payloadType: `${PACKAGE}.ContactErased`,
      payload,
    },
    actor,
    namespace,
  );
}

export function companyChangedEntry(
  type: CompanyEventType,
  company: CompanyDoc,
  changedFields: string[],
  actor: Actor,
  namespace: string,
): OutboxEntry {
  const payload = CompanyChanged.encode({ company: toProtoCompany(company), changedFields }).finish();
  return toOutboxEntry(
    {
      type,
      tenantId: company.tenantId,
      aggregateId: company._id,
      aggregateVersion: company.version,
      ownerId: company.ownerId,
      teamId: company.teamId,
      payloadType: `${PACKAGE}.CompanyChanged`,
      payload,
    },
    actor,
    namespace,
  );
}

export function activityLoggedEntry(
  activity: ActivityDoc,
  contactLastActivityAt: Date,
  actor: Actor,
  namespace: string,
): OutboxEntry {
  const payload = ActivityLogged.encode({ activity: toProtoActivity(activity), contactLastActivityAt }).finish();
  return toOutboxEntry(
    {
      type: 'activity.logged',
      tenantId: activity.tenantId,
      aggregateId: activity._id,
      aggregateVersion: activity.version,
      ownerId: activity.ownerId,
      teamId: activity.teamId,
      payloadType: `${PACKAGE}.ActivityLogged`,
      payload,
    },
    actor,
    namespace,
  );
}
