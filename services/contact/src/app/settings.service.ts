// Tenant settings and custom field definitions: everyone in the tenant reads them, admins change them. Each is a
// small record (per tenant, per tenant and entity) written through the RecordStore like every other; version 0
// means "never saved", and the first save is the record's creation.
import {
  requireAdmin,
  ServiceError,
  validateDefinitionsOrThrow,
  versionMismatch,
  type CustomFieldDefinition,
  type Principal,
  type RecordStore,
  type TenantRecord,
} from '@crm/service-kit';
import {
  parseEntity,
  validateSettings,
  type CustomFieldEntity,
  type TenantSettingsFields,
} from '../domain/settings.model';
import type { ContactStore } from '../store/contact-store';

export interface TenantSettingsView extends TenantSettingsFields {
  version: number;
  updatedAt: Date;
}

export interface CustomFieldSetView {
  entity: CustomFieldEntity;
  definitions: CustomFieldDefinition[];
  version: number;
}

export class SettingsService {
  constructor(private readonly store: ContactStore) {}

  async getSettings(principal: Principal): Promise<TenantSettingsView> {
    const doc = await this.store.settings.load(principal.tenantId);
    if (!doc || doc.tenantId !== principal.tenantId)
      return {
        defaultPhoneRegion: this.store.defaultRegion,
        requiredContactFields: [],
        requiredCompanyFields: [],
        version: 0,
        updatedAt: new Date(0),
      };
    return settingsView(doc);
  }

  async updateSettings(
    principal: Principal,
    input: TenantSettingsFields,
    expectedVersion: number,
  ): Promise<TenantSettingsView> {
    requireAdmin(principal);
    const fields = validateSettings(input);
    return settingsView(
      await saveVersioned(this.store.settings, principal, principal.tenantId, expectedVersion, fields),
    );
  }

  async getDefinitions(principal: Principal, entity: string): Promise<CustomFieldSetView> {
    const parsed = parseEntity(entity);
    const doc = await this.store.fieldSets.load(`${principal.tenantId}:${parsed}`);
    if (!doc || doc.tenantId !== principal.tenantId) return { entity: parsed, definitions: [], version: 0 };
    return { entity: parsed, definitions: doc.definitions, version: doc.version };
  }

  /** The whole set; the kit refuses removing a field or option (archive it) and changing a field's type. */
  async setDefinitions(
    principal: Principal,
    entity: string,
    input: unknown[],
    expectedVersion: number,
  ): Promise<CustomFieldSetView> {
    requireAdmin(principal);
    const parsed = parseEntity(entity);
    const previous = await this.getDefinitions(principal, parsed);
    const definitions: CustomFieldDefinition[] = validateDefinitionsOrThrow(input, { previous: previous.definitions });
    const saved = await saveVersioned(
      this.store.fieldSets,
      principal,
      `${principal.tenantId}:${parsed}`,
      expectedVersion,
      {
        entity: parsed,
        definitions,
      },
    );
    return { entity: parsed, definitions: saved.definitions, version: saved.version };
  }
}

function settingsView(doc: TenantSettingsFields & { version: number; updatedAt: Date }): TenantSettingsView {
  return {
    defaultPhoneRegion: doc.defaultPhoneRegion,
    requiredContactFields: doc.requiredContactFields,
    requiredCompanyFields: doc.requiredCompanyFields,
    version: doc.version,
    updatedAt: doc.updatedAt,
  };
}

/** Version 0 creates the record (of two first saves, one wins: the other's version really moved); later saves update it. */
async function saveVersioned<T extends TenantRecord, F extends Partial<T>>(
  records: RecordStore<T>,
  principal: Principal,
  id: string,
  expectedVersion: number,
  fields: F,
): Promise<T> {
  if (expectedVersion === 0) {
    try {
      return await records.create(principal, { _id: id, ownerId: '', teamId: '', ...fields } as never, () => []);
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === 'ALREADY_EXISTS')) throw error;
      throw versionMismatch(0, (await records.load(id))?.version ?? 1);
    }
  }
  try {
    return await records.update(principal, id, expectedVersion, () => ({ set: fields, messages: () => [] }));
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'NOT_FOUND') throw versionMismatch(expectedVersion, 0);
    throw error;
  }
}
