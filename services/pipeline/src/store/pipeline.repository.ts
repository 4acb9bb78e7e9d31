import { Schema, type Connection, type Model } from 'mongoose';
import { v5 as uuidv5 } from 'uuid';
import {
  isDuplicateKey,
  lockKey,
  notFound,
  appendToOutbox,
  initialOutbox,
  outboxFields,
  OUTBOX_PENDING_INDEX,
  outboxStoreOf,
  versionMismatch,
  type DocumentLocks,
  type OutboxEntry,
  type OutboxRelay,
  type OutboxStore,
} from '@crm/service-kit';
import type { Stage } from '../domain/stage';

export interface PipelineDocument {
  _id: string;
  tenantId: string;
  name: string;
  stages: Stage[];
  isDefault: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  outbox?: OutboxEntry[];
}

export const PIPELINES_COLLECTION = 'pipelines';

// A fixed namespace, so that a tenant's default pipeline has the same id in every process: seeding it is a plain
// insert of that id, which the store makes atomic even where conditional updates are not.
const DEFAULT_PIPELINE_NAMESPACE = 'a4f0e3b2-6c1d-4e8a-9b57-2d9c0f1e7a63';

export function defaultPipelineId(tenantId: string): string {
  return uuidv5(`crm.pipeline.default:${tenantId}`, DEFAULT_PIPELINE_NAMESPACE);
}

const stageSchema = new Schema<Stage>(
  { id: String, name: String, probability: Number, kind: String, forecastCategory: String, archived: Boolean },
  { _id: false },
);
const pipelineSchema = new Schema<PipelineDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    name: { type: String, required: true },
    stages: { type: [stageSchema], default: [] },
    isDefault: { type: Boolean, default: false },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    ...outboxFields,
  },
  { versionKey: false, strict: 'throw' },
);
pipelineSchema.index({ tenantId: 1, createdAt: 1 });
pipelineSchema.index(OUTBOX_PENDING_INDEX);

export interface PipelineChange {
  name?: string;
  stages?: Stage[];
  events: (newVersion: number, next: PipelineDocument) => OutboxEntry[];
}

/**
 * Pipelines are tenant configuration: everyone in the tenant reads them, the service layer lets only admins
 * change them. Each change is checked against the current document under its lock, since the store applies
 * conditional updates non-atomically.
 */
export class PipelineRepository {
  readonly outboxStore: OutboxStore;

  constructor(
    private readonly model: Model<PipelineDocument>,
    private readonly relay: OutboxRelay,
    private readonly locks: DocumentLocks,
  ) {
    this.outboxStore = outboxStoreOf(model, locks);
  }

  static modelFor(connection: Connection): Model<PipelineDocument> {
    return (
      (connection.models.Pipeline as Model<PipelineDocument> | undefined) ??
      connection.model<PipelineDocument>('Pipeline', pipelineSchema, PIPELINES_COLLECTION)
    );
  }

  async list(tenantId: string): Promise<PipelineDocument[]> {
    return this.model.find({ tenantId }, { outbox: 0 }).sort({ createdAt: 1, _id: 1 }).lean<PipelineDocument[]>();
  }

  async find(tenantId: string, id: string): Promise<PipelineDocument | undefined> {
    const doc = await this.model.findOne({ _id: id, tenantId }, { outbox: 0 }).lean<PipelineDocument>();
    return doc ?? undefined;
  }

  async get(tenantId: string, id: string): Promise<PipelineDocument> {
    const doc = await this.find(tenantId, id);
    if (!doc) throw notFound('pipeline');
    return doc;
  }

  /** Inserts the tenant's default pipeline unless it exists; concurrent callers race on one _id and one wins. */
  async ensureDefault(
    tenantId: string,
    build: () => Omit<PipelineDocument, 'tenantId' | '_id' | 'version' | 'createdAt' | 'updatedAt' | 'outbox'>,
    events: (doc: PipelineDocument) => OutboxEntry[],
  ): Promise<PipelineDocument> {
    const id = defaultPipelineId(tenantId);
    const existing = await this.find(tenantId, id);
    if (existing) return existing;
    try {
      return await this.insert(tenantId, id, build(), events);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return this.get(tenantId, id);
    }
  }

  async insert(
    tenantId: string,
    id: string,
    fields: Pick<PipelineDocument, 'name' | 'stages' | 'isDefault'>,
    events: (doc: PipelineDocument) => OutboxEntry[],
  ): Promise<PipelineDocument> {
    const now = new Date();
    const doc: PipelineDocument = { _id: id, tenantId, ...fields, version: 1, createdAt: now, updatedAt: now };
    const entries = events(doc);
    await this.model.create({ ...doc, ...initialOutbox(entries) });
    await this.relay.relayQuietly(this.outboxStore, id, entries);
    return doc;
  }

  /**
   * Applies `change(current)` if the pipeline is still at expectedVersion. `change` runs under the pipeline's lock
   * and may look elsewhere first (archiving counts the stage's deals), so what it decides cannot go stale.
   */
  async update(
    tenantId: string,
    id: string,
    expectedVersion: number,
    change: (current: PipelineDocument) => Promise<PipelineChange> | PipelineChange,
  ): Promise<PipelineDocument> {
    const { next, entries } = await this.locks.withLock(lockKey(PIPELINES_COLLECTION, id), async () => {
      const current = await this.get(tenantId, id);
      if (current.version !== expectedVersion) throw versionMismatch(expectedVersion, current.version);
      const decided = await change(current);
      const next: PipelineDocument = {
        ...current,
        name: decided.name ?? current.name,
        stages: decided.stages ?? current.stages,
        version: current.version + 1,
        updatedAt: new Date(),
      };
      const entries = decided.events(next.version, next);
      const outbox = appendToOutbox(entries);
      await this.model.updateOne(
        { _id: id },
        {
          $set: {
            name: next.name,
            stages: next.stages,
            version: next.version,
            updatedAt: next.updatedAt,
            ...outbox.$set,
          },
          $push: outbox.$push,
        },
      );
      return { next, entries };
    });
    await this.relay.relayQuietly(this.outboxStore, id, entries);
    return next;
  }
}
