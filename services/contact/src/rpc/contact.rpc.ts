import type { ContactServiceService } from '@crm/proto/crm/contact/v1/contact';
import type { ServiceHandlers } from '@crm/service-kit';
import type { ContactService } from '../app/contact.service';
import type { MergeService } from '../app/merge.service';
import type { PrivacyService } from '../app/privacy.service';
import type { ContactFilter } from '@crm/proto/crm/contact/v1/contact';
import type { ContactListFilter } from '../store/read-model/contact-queries';
import { fromProtoContactInput, toProtoContact } from './mappers';

export function toContactListFilter(filter: ContactFilter | undefined): ContactListFilter {
  return {
    ownerId: filter?.ownerId || undefined,
    teamId: filter?.teamId || undefined,
    lifecycleStage: filter?.lifecycleStage || undefined,
    tag: filter?.tag || undefined,
    companyId: filter?.companyId || undefined,
    updatedSince: filter?.updatedSince,
    includeDeleted: filter?.includeDeleted ?? false,
  };
}

export function contactHandlers(
  contacts: ContactService,
  merges: MergeService,
  privacy: PrivacyService,
): ServiceHandlers<typeof ContactServiceService> {
  return {
    createContact: async (req, ctx) => {
      const input = {
        ...fromProtoContactInput(req.contact),
        ownerId: req.contact?.ownerId ?? '',
        teamId: req.contact?.teamId ?? '',
      };
      return { contact: toProtoContact(await contacts.create(ctx.principal, input, req.allowDuplicates)) };
    },
    getContact: async (req, ctx) => ({
      contact: toProtoContact(await contacts.get(ctx.principal, req.id, req.includeDeleted)),
    }),
    batchGetContacts: async (req, ctx) => {
      const { contacts: found, missingIds } = await contacts.batchGet(ctx.principal, req.ids);
      return { contacts: found.map(toProtoContact), missingIds };
    },
    updateContact: async (req, ctx) => ({
      contact: toProtoContact(
        await contacts.update(
          ctx.principal,
          req.id,
          req.expectedVersion,
          {
            ...fromProtoContactInput(req.contact),
            ownerId: req.contact?.ownerId ?? '',
            teamId: req.contact?.teamId ?? '',
          },
          req.updateMask ?? [],
          req.allowDuplicates,
        ),
      ),
    }),
    deleteContact: async (req, ctx) => ({
      contact: toProtoContact(await contacts.delete(ctx.principal, req.id, req.expectedVersion)),
    }),
    restoreContact: async (req, ctx) => ({
      contact: toProtoContact(await contacts.restore(ctx.principal, req.id, req.expectedVersion)),
    }),
    transferContact: async (req, ctx) => ({
      contact: toProtoContact(
        await contacts.transfer(ctx.principal, req.id, req.expectedVersion, req.newOwnerId, req.newTeamId),
      ),
    }),
    listContacts: async (req, ctx) => {
      const page = await contacts.list(
        ctx.principal,
        toContactListFilter(req.filter),
        req.page?.limit ?? 0,
        req.page?.cursor ?? '',
      );
      return { contacts: page.rows.map(toProtoContact), page: { nextCursor: page.nextCursor } };
    },
    searchContacts: async (req, ctx) => ({
      hits: (await contacts.search(ctx.principal, req.query, req.limit)).map((h) => ({
        contact: toProtoContact(h.contact),
        score: h.score,
      })),
    }),
    findDuplicates: async (req, ctx) => ({
      candidates: (await contacts.duplicates(ctx.principal, req.id, req.limit)).map((c) => ({
        contact: toProtoContact(c.contact),
        score: c.score,
        reasons: c.reasons,
      })),
    }),
    mergeContacts: async (req, ctx) => {
      const outcome = await merges.merge(ctx.principal, req.targetId, req.sourceId, req.expectedTargetVersion);
      return { contact: toProtoContact(outcome.contact), activitiesMoved: outcome.activitiesMoved };
    },
    exportContactData: async (req, ctx) => ({ json: await privacy.exportData(ctx.principal, req.id) }),
    eraseContact: async (req, ctx) => privacy.erase(ctx.principal, req.id),
    getContactHistory: async (req, ctx) => ({ entries: await contacts.history(ctx.principal, req.id) }),
  };
}
