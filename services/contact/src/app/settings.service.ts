// Tenant settings and custom field definitions: everyone reads, admins change.
import { validateDefinitionsOrThrow, type CustomFieldDefinition, type Principal } from '@crm/service-kit';
import { parseEntity, validateSettings, type TenantSettingsFields } from '../domain/settings.model';
import type { ContactStore } from '../store/contact-store';
import type { CustomFieldSetDoc, TenantSettingsDoc } from '../store/settings.repository';
import { requireAdmin } from './ownership';

export class SettingsService {
  constructor(private readonly store: ContactStore) {}

  getSettings(principal: Principal): Promise<TenantSettingsDoc> {
    return this.store.settings.getSettings(principal.tenantId);
  }

  async updateSettings(
    principal: Principal,
    input: TenantSettingsFields,
    expectedVersion: number,
  ): Promise<TenantSettingsDoc> {
    requireAdmin(principal);
    return this.store.settings.saveSettings(principal.tenantId, expectedVersion, validateSettings(input));
  }

  getDefinitions(principal: Principal, entity: string): Promise<CustomFieldSetDoc> {
    return this.store.settings.getDefinitions(principal.tenantId, parseEntity(entity));
  }

  /** The whole set; the kit refuses removing a field or option (archive it) and changing a field's type. */
  async setDefinitions(
    principal: Principal,
    entity: string,
    input: unknown[],
    expectedVersion: number,
  ): Promise<CustomFieldSetDoc> {
    requireAdmin(principal);
    const parsed = parseEntity(entity);
    const previous = await this.store.settings.getDefinitions(principal.tenantId, parsed);
    const definitions: CustomFieldDefinition[] = validateDefinitionsOrThrow(input, { previous: previous.definitions });
    return this.store.settings.saveDefinitions(principal.tenantId, parsed, expectedVersion, definitions);
  }
}
