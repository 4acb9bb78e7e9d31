import { lockKey, versionMismatch, type CustomFieldDefinition, type DocumentLocks } from '@crm/service-kit';
import type { Collection, Connection } from 'mongoose';
import type { CustomFieldEntity, TenantSettingsFields } from '../domain/settings.model';

export interface TenantSettingsDoc extends TenantSettingsFields {
  _id: string;
  tenantId: string;
  version: number;
  updatedAt: Date;
}

export interface CustomFieldSetDoc {
  _id: string;
  tenantId: string;
  entity: CustomFieldEntity;
  definitions: CustomFieldDefinition[];
  version: number;
  updatedAt: Date;
}

export const DEFAULT_SETTINGS = (tenantId: string, defaultRegion: string): TenantSettingsDoc => ({
  _id: tenantId,
  tenantId,
  defaultPhoneRegion: defaultRegion,
  requiredContactFields: [],
  requiredCompanyFields: [],
  version: 0,
  updatedAt: new Date(0),
});

/** Small per-tenant documents keyed by tenant (and entity), versioned like every mutable record. */
export class SettingsRepository {
  private readonly settings: Collection<TenantSettingsDoc>;
  private readonly fieldSets: Collection<CustomFieldSetDoc>;

  constructor(
    mongo: Connection,
    private readonly locks: DocumentLocks,
    private readonly defaultRegion: string,
  ) {
    this.settings = mongo.collection<TenantSettingsDoc>('tenant_settings');
    this.fieldSets = mongo.collection<CustomFieldSetDoc>('custom_field_sets');
  }

  async getSettings(tenantId: string): Promise<TenantSettingsDoc> {
    return (await this.settings.findOne({ _id: tenantId })) ?? DEFAULT_SETTINGS(tenantId, this.defaultRegion);
  }

  async saveSettings(
    tenantId: string,
    expectedVersion: number,
    fields: TenantSettingsFields,
  ): Promise<TenantSettingsDoc> {
    return this.saveVersioned(this.settings, tenantId, expectedVersion, { tenantId, ...fields });
  }

  async getDefinitions(tenantId: string, entity: CustomFieldEntity): Promise<CustomFieldSetDoc> {
    const id = `${tenantId}:${entity}`;
    return (
      (await this.fieldSets.findOne({ _id: id })) ?? {
        _id: id,
        tenantId,
        entity,
        definitions: [],
        version: 0,
        updatedAt: new Date(0),
      }
    );
  }

  async saveDefinitions(
    tenantId: string,
    entity: CustomFieldEntity,
    expectedVersion: number,
    definitions: CustomFieldDefinition[],
  ): Promise<CustomFieldSetDoc> {
    return this.saveVersioned(this.fieldSets, `${tenantId}:${entity}`, expectedVersion, {
      tenantId,
      entity,
      definitions,
    });
  }

  /** Version 0 means "never saved": the first save inserts, which is atomic; later ones update under the lock. */
  private async saveVersioned<D extends { _id: string; version: number; updatedAt: Date }>(
    collection: Collection<D>,
    id: string,
    expectedVersion: number,
    fields: Omit<D, '_id' | 'version' | 'updatedAt'>,
  ): Promise<D> {
    return this.locks.withLock(lockKey(collection.collectionName, id), async () => {
      const current = await collection.findOne({ _id: id } as never);
      const currentVersion = (current as D | null)?.version ?? 0;
      if (currentVersion !== expectedVersion) throw versionMismatch(expectedVersion, currentVersion);
      const next = { ...fields, _id: id, version: currentVersion + 1, updatedAt: new Date() } as unknown as D;
      if (current) await collection.replaceOne({ _id: id } as never, next);
      else await collection.insertOne(next as never);
      return next;
    });
  }
}
