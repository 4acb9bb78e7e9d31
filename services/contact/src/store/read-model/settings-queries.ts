// A tenant's settings and custom field definitions as every write validates against them: one read-model query.
import type { CustomFieldDefinition } from '@crm/service-kit';
import { sql, type Kysely } from 'kysely';
import type { TenantSettingsFields } from '../../domain/settings.model';
import type { ContactReadModel } from './rows';

export interface TenantRules {
  settings: TenantSettingsFields | undefined;
  contactDefinitions: CustomFieldDefinition[];
  companyDefinitions: CustomFieldDefinition[];
}

export class SettingsQueries {
  constructor(private readonly db: Kysely<ContactReadModel>) {}

  async rules(tenantId: string): Promise<TenantRules> {
    const { rows } = await sql<{ settings: unknown; contact: unknown; company: unknown }>`
      select
        (select data from tenant_settings where id = ${tenantId}) as settings,
        (select data from custom_field_sets where id = ${`${tenantId}:contact`}) as contact,
        (select data from custom_field_sets where id = ${`${tenantId}:company`}) as company
    `.execute(this.db);
    const row = rows[0];
    const definitions = (set: unknown) => (set as { definitions?: CustomFieldDefinition[] } | null)?.definitions ?? [];
    return {
      settings: (row?.settings as TenantSettingsFields | null) ?? undefined,
      contactDefinitions: definitions(row?.contact),
      companyDefinitions: definitions(row?.company),
    };
  }
}
