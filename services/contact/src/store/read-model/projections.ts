// How records reach the read model: one projection per aggregate, applied by the kit in the request (after the
// snapshot), by the consumer of the CONTACT stream and by a rebuild; every row only ever moves to a newer version.
import { rowProjection, type Projection } from '@crm/service-kit';
import { sql, type Kysely } from 'kysely';
import type {
  ActivityDoc,
  CompanyDoc,
  ContactDoc,
  CustomFieldSetDoc,
  ImportJobDoc,
  TenantSettingsDoc,
} from '../records';
import {
  activityRow,
  companyRow,
  contactRow,
  fieldSetRow,
  importJobRow,
  settingsRow,
  type ContactReadModel,
} from './rows';

type Db = Kysely<ContactReadModel>;

/**
 * A contact's newest activity time comes from its activities, not from its record (logging a call must not
 * bump the contact's version). Recomputed for the contacts a change touches, so order and repeats do not matter.
 */
async function refreshLastActivity(db: Db, contacts: ReadonlyArray<{ tenantId: string; id: string }>): Promise<void> {
  if (contacts.length === 0) return;
  await sql`
    update contacts c set last_activity_at = x.at
    from (
      select k.tenant_id, k.id, (
        select max(a.occurred_at) from activities a
        where a.tenant_id = k.tenant_id and a.contact_id = k.id and a.deleted_at is null
      ) as at
      from unnest(${contacts.map((c) => c.tenantId)}::text[], ${contacts.map((c) => c.id)}::text[]) as k (tenant_id, id)
    ) x
    where c.id = x.id and c.tenant_id = x.tenant_id and c.last_activity_at is distinct from x.at
  `.execute(db);
}

export function contactProjection(db: Db): Projection<ContactDoc> {
  const rows = rowProjection<ContactDoc, ContactReadModel>({ db, table: 'contacts', toRow: contactRow });
  return {
    ...rows,
    apply: async (states) => {
      await rows.apply(states);
      // A contact row can arrive after its activities (another instance's consumer, a rebuild's order).
      await refreshLastActivity(
        db,
        states.map((s) => ({ tenantId: s.tenantId, id: s._id })),
      );
    },
  };
}

export function activityProjection(db: Db): Projection<ActivityDoc> {
  const rows = rowProjection<ActivityDoc, ContactReadModel>({ db, table: 'activities', toRow: activityRow });
  return {
    ...rows,
    apply: async (states) => {
      await rows.apply(states);
      const touched = new Map(
        states.map((s) => [`${s.tenantId}:${s.contactId}`, { tenantId: s.tenantId, id: s.contactId }]),
      );
      await refreshLastActivity(db, [...touched.values()]);
    },
  };
}

export function companyProjection(db: Db): Projection<CompanyDoc> {
  return rowProjection<CompanyDoc, ContactReadModel>({ db, table: 'companies', toRow: companyRow });
}

export function settingsProjection(db: Db): Projection<TenantSettingsDoc> {
  return rowProjection<TenantSettingsDoc, ContactReadModel>({ db, table: 'tenant_settings', toRow: settingsRow });
}

export function fieldSetProjection(db: Db): Projection<CustomFieldSetDoc> {
  return rowProjection<CustomFieldSetDoc, ContactReadModel>({ db, table: 'custom_field_sets', toRow: fieldSetRow });
}

/** The job row, and each checkpoint's row errors (repeats of a checkpoint insert nothing twice). */
export function importJobProjection(db: Db): Projection<ImportJobDoc> {
  const rows = rowProjection<ImportJobDoc, ContactReadModel>({ db, table: 'import_jobs', toRow: importJobRow });
  return {
    ...rows,
    apply: async (states) => {
      await rows.apply(states);
      const errors = states.flatMap((job) =>
        (job.batchErrors ?? []).map((e) => ({ tenant: job.tenantId, job: job._id, ...e })),
      );
      if (errors.length === 0) return;
      await sql`
        insert into import_errors (tenant_id, job_id, row, field, message)
        select * from unnest(
          ${errors.map((e) => e.tenant)}::text[], ${errors.map((e) => e.job)}::text[],
          ${errors.map((e) => e.row)}::int[], ${errors.map((e) => e.field)}::text[],
          ${errors.map((e) => e.message)}::text[]
        )
        on conflict do nothing
      `.execute(db);
    },
  };
}
