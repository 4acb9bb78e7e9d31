// The tenant's deal custom-field definitions: one record per tenant, versioned and written through the kit's
// RecordStore like every record (so their changes have a history too). Version 0 means "never saved".
import { Schema, type Connection, type Model } from 'mongoose';
import {
  RecordStore,
  ServiceError,
  versionMismatch,
  type CustomFieldDefinition,
  type Principal,
  type TenantRecord,
} from '@crm/service-kit';
import type { RecordStoreDeps } from './deal.records';

export interface DealSettingsRecord extends TenantRecord {
  customFields: CustomFieldDefinition[];
}

export interface DealSettings {
  customFields: CustomFieldDefinition[];
  /** 0 while nothing was ever saved. */
  version: number;
}

export const DEAL_SETTINGS_COLLECTION = 'deal_settings';

const schema = new Schema<DealSettingsRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    ownerId: { type: String, default: '' },
    teamId: { type: String, default: '' },
    customFields: { type: Schema.Types.Mixed, default: [] },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    deletedAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false, autoIndex: false },
);

export function dealSettingsModel(connection: Connection): Model<DealSettingsRecord> {
  return (
    (connection.models.DealSettings as Model<DealSettingsRecord> | undefined) ??
    connection.model<DealSettingsRecord>('DealSettings', schema, DEAL_SETTINGS_COLLECTION)
  );
}

/** One record per tenant, under an id of its own so that it never meets another aggregate's in the event log. */
export function dealSettingsId(tenantId: string): string {
  return `deal-settings:${tenantId}`;
}

export class DealSettingsStore {
  constructor(readonly records: RecordStore<DealSettingsRecord>) {}

  static create(deps: RecordStoreDeps): DealSettingsStore {
    return new DealSettingsStore(
      new RecordStore<DealSettingsRecord>({
        model: dealSettingsModel(deps.mongo),
        kind: 'deal settings',
        policy: { resource: 'deals' },
        events: deps.events,
        publisher: deps.publisher,
        log: deps.log,
      }),
    );
  }

  async get(tenantId: string): Promise<DealSettings> {
    const doc = await this.records.load(dealSettingsId(tenantId));
    return doc?.tenantId === tenantId
      ? { customFields: doc.customFields, version: doc.version }
      : { customFields: [], version: 0 };
  }

  /** Version 0 creates the tenant's record; later versions replace its definitions at that version only. */
  async save(
    principal: Principal,
    expectedVersion: number,
    customFields: CustomFieldDefinition[],
  ): Promise<DealSettings> {
    const id = dealSettingsId(principal.tenantId);
    if (expectedVersion === 0) {
      try {
        const created = await this.records.create(
          principal,
          { _id: id, ownerId: '', teamId: '', customFields },
          () => [],
        );
        return { customFields: created.customFields, version: created.version };
      } catch (error) {
        if (!(error instanceof ServiceError && error.code === 'ALREADY_EXISTS')) throw error;
        throw versionMismatch(0, (await this.get(principal.tenantId)).version);
      }
    }
    try {
      const saved = await this.records.update(principal, id, expectedVersion, () => ({
        set: { customFields },
        messages: () => [],
      }));
      return { customFields: saved.customFields, version: saved.version };
    } catch (error) {
      // Never saved: the version the caller expects is not the current one (0).
      if (error instanceof ServiceError && error.code === 'NOT_FOUND') throw versionMismatch(expectedVersion, 0);
      throw error;
    }
  }
}
