// Event builders: each event carries what consumers need, so none has to call back. The kit's RecordStore stores
// them with the change (the event log is the outbox) and publishes them after the snapshot.
import {
  ContactChanged,
  ContactErased,
  ContactMerged,
  CompanyChanged,
  ActivityLogged,
} from '@crm/proto/crm/contact/v1/events';
import { toEventMessage, type EventMessage, type Principal } from '@crm/service-kit';
import { toProtoActivity, toProtoCompany, toProtoContact } from '../rpc/mappers';
import type { ActivityDoc, CompanyDoc, ContactDoc } from '../store/records';

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
): EventMessage {
  const payload = ContactChanged.encode({ contact: toProtoContact(contact), changedFields }).finish();
  return toEventMessage(
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
): EventMessage {
  const payload = ContactMerged.encode({
    sourceId,
    targetId: target._id,
    target: toProtoContact(target),
    activitiesMoved,
  }).finish();
  return toEventMessage(
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
): EventMessage {
  const payload = ContactErased.encode({ contactId: contact._id, erasedAt }).finish();
  return toEventMessage(
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
): EventMessage {
  const payload = CompanyChanged.encode({ company: toProtoCompany(company), changedFields }).finish();
  return toEventMessage(
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
): EventMessage {
  const payload = ActivityLogged.encode({ activity: toProtoActivity(activity), contactLastActivityAt }).finish();
  return toEventMessage(
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
