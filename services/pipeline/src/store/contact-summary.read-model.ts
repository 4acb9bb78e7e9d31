// What deals show of their contacts and companies, kept in the read model from the contact service's events (and
// from the contact service's answer when a user links one), never on the deal record: a contact's new name is
// no edit of the deal, so it takes no deal version. A summary only moves to a newer source version; an erasure
// always wins and nothing overwrites it afterwards.
import { sql, type Kysely } from 'kysely';
import type { CompanySummary, ContactSummary } from '../domain/deal';
import type { PipelineReadModel } from './read-model.schema';

export class ContactSummaries {
  constructor(private readonly db: Kysely<PipelineReadModel>) {}

  async putContact(tenantId: string, summary: ContactSummary): Promise<void> {
    if (summary.erased) return this.eraseContact(tenantId, summary.id, summary.sourceVersion);
    await this.db
      .insertInto('contact_summaries')
      .values({
        tenant_id: tenantId,
        id: summary.id,
        display_name: summary.displayName,
        email: summary.email,
        erased: false,
        source_version: summary.sourceVersion,
      })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'id'])
          .doUpdateSet({
            display_name: (eb) => eb.ref('excluded.display_name'),
            email: (eb) => eb.ref('excluded.email'),
            source_version: (eb) => eb.ref('excluded.source_version'),
          })
          .where('contact_summaries.erased', '=', false)
          .where('contact_summaries.source_version', '<', (eb) => eb.ref('excluded.source_version')),
      )
      .execute();
  }

  /** Personal data goes whatever the version order: an older event arriving later cannot bring it back. */
  async eraseContact(tenantId: string, contactId: string, sourceVersion: number): Promise<void> {
    await this.db
      .insertInto('contact_summaries')
      .values({
        tenant_id: tenantId,
        id: contactId,
        display_name: '',
        email: '',
        erased: true,
        source_version: sourceVersion,
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'id']).doUpdateSet({
          display_name: '',
          email: '',
          erased: true,
          source_version: sql`greatest(contact_summaries.source_version, excluded.source_version)`,
        }),
      )
      .execute();
  }

  async putCompany(tenantId: string, summary: CompanySummary): Promise<void> {
    await this.db
      .insertInto('company_summaries')
      .values({
        tenant_id: tenantId,
        id: summary.id,
        name: summary.name,
        domain: summary.domain,
        source_version: summary.sourceVersion,
      })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'id'])
          .doUpdateSet({
            name: (eb) => eb.ref('excluded.name'),
            domain: (eb) => eb.ref('excluded.domain'),
            source_version: (eb) => eb.ref('excluded.source_version'),
          })
          .where('company_summaries.source_version', '<', (eb) => eb.ref('excluded.source_version')),
      )
      .execute();
  }

  /** The summaries of one deal's contact and company (ids may be empty). */
  async of(
    tenantId: string,
    contactId: string,
    companyId: string,
  ): Promise<{ contact: ContactSummary | null; company: CompanySummary | null }> {
    const [contact, company] = await Promise.all([
      contactId
        ? this.db
            .selectFrom('contact_summaries')
            .selectAll()
            .where('tenant_id', '=', tenantId)
            .where('id', '=', contactId)
            .executeTakeFirst()
        : undefined,
      companyId
        ? this.db
            .selectFrom('company_summaries')
            .selectAll()
            .where('tenant_id', '=', tenantId)
            .where('id', '=', companyId)
            .executeTakeFirst()
        : undefined,
    ]);
    return {
      contact: contactId
        ? {
            id: contactId,
            displayName: contact?.display_name ?? '',
            email: contact?.email ?? '',
            erased: contact?.erased ?? false,
            sourceVersion: contact?.source_version ?? 0,
          }
        : null,
      company: companyId
        ? {
            id: companyId,
            name: company?.name ?? '',
            domain: company?.domain ?? '',
            sourceVersion: company?.source_version ?? 0,
          }
        : null,
    };
  }
}
