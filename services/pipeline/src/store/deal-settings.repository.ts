import { Schema, type Connection, type Model } from 'mongoose';
import {
  isDuplicateKey,
  lockKey,
  versionMismatch,
  type CustomFieldDefinition,
  type DocumentLocks,
} from '@crm/service-kit';

export interface DealSettingsDocument {
  /** The tenant id: one document per tenant. */
  _id: string;
  customFields: CustomFieldDefinition[];
  version: number;
  updatedAt: Date;
}

export const DEAL_SETTINGS_COLLECTION = 'deal_settings';

const schema = new Schema<DealSettingsDocument>(
  {
    _id: { type: String, required: true },
    customFields: { type: Schema.Types.Mixed, default: [] },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

export interface DealSettings {
  customFields: CustomFieldDefinition[];
  /** 0 while nothing was ever saved. */
  version: number;
}

/** The tenant's deal custom-field definitions; versioned like every record. */
export class DealSettingsRepository {
  constructor(
    private readonly model: Model<DealSettingsDocument>,
    private readonly locks: DocumentLocks,
  ) {}

  static modelFor(connection: Connection): Model<DealSettingsDocument> {
    return (
      (connection.models.DealSettings as Model<DealSettingsDocument> | undefined) ??
      connection.model<DealSettingsDocument>('DealSettings', schema, DEAL_SETTINGS_COLLECTION)
    );
  }

  async get(tenantId: string): Promise<DealSettings> {
    const doc = await this.model.findOne({ _id: tenantId }).lean<DealSettingsDocument>();
    return doc ? { customFields: doc.customFields, version: doc.version } : { customFields: [], version: 0 };
  }

  /** Version 0 creates (an atomic insert of the tenant's id); later versions update under the document's lock. */
  async save(tenantId: string, expectedVersion: number, customFields: CustomFieldDefinition[]): Promise<DealSettings> {
    const now = new Date();
    if (expectedVersion === 0) {
      try {
        await this.model.create({ _id: tenantId, customFields, version: 1, updatedAt: now });
        return { customFields, version: 1 };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        throw versionMismatch(0, (await this.get(tenantId)).version);
      }
    }
    return this.locks.withLock(lockKey(DEAL_SETTINGS_COLLECTION, tenantId), async () => {
      const current = await this.get(tenantId);
      if (current.version !== expectedVersion) throw versionMismatch(expectedVersion, current.version);
      await this.model.updateOne(
        { _id: tenantId },
        { $set: { customFields, version: expectedVersion + 1, updatedAt: now } },
      );
      return { customFields, version: expectedVersion + 1 };
    });
  }
}
