// Pipelines: tenant configuration written through the kit's RecordStore. Read by _id, or all of a tenant's (a
// small equality set: a tenant has a handful of pipelines); everyone who may see deals reads them, admins change
// them (the use cases check that).
import { Schema, type Connection, type Model } from 'mongoose';
import { v5 as uuidv5 } from 'uuid';
import {
  notFound,
  RecordStore,
  ServiceError,
  withStoreRetry,
  type Change,
  type EventMessage,
  type Principal,
  type TenantRecord,
} from '@crm/service-kit';
import type { Stage } from '../domain/stage';
import type { RecordStoreDeps } from './deal.records';

export interface PipelineRecord extends TenantRecord {
  name: string;
  stages: Stage[];
  isDefault: boolean;
}

export type PipelineFields = Pick<PipelineRecord, 'name' | 'stages' | 'isDefault'>;

export const PIPELINES_COLLECTION = 'pipelines';

// A fixed namespace, so that a tenant's default pipeline has the same id in every process: seeding it is a plain
// create of that id, and of concurrent creators exactly one wins.
const DEFAULT_PIPELINE_NAMESPACE = 'a4f0e3b2-6c1d-4e8a-9b57-2d9c0f1e7a63';

export function defaultPipelineId(tenantId: string): string {
  return uuidv5(`crm.pipeline.default:${tenantId}`, DEFAULT_PIPELINE_NAMESPACE);
}

const stageSchema = new Schema<Stage>(
  {
    id: String,
    name: String,
    probability: Number,
    kind: String,
    forecastCategory: String,
    archived: Boolean,
    archivingSince: Date,
  },
  { _id: false },
);
const pipelineSchema = new Schema<PipelineRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    ownerId: { type: String, default: '' },
    teamId: { type: String, default: '' },
    name: { type: String, required: true },
    stages: { type: [stageSchema], default: [] },
    isDefault: { type: Boolean, default: false },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    deletedAt: { type: Date, default: null },
  },
  { versionKey: false, autoIndex: false },
);
// A tenant's pipelines: the one equality set they are read by.
pipelineSchema.index({ tenantId: 1 });

export function pipelineModel(connection: Connection): Model<PipelineRecord> {
  return (
    (connection.models.Pipeline as Model<PipelineRecord> | undefined) ??
    connection.model<PipelineRecord>('Pipeline', pipelineSchema, PIPELINES_COLLECTION)
  );
}

export class PipelineStore {
  constructor(readonly records: RecordStore<PipelineRecord>) {}

  static create(deps: RecordStoreDeps): PipelineStore {
    return new PipelineStore(
      new RecordStore<PipelineRecord>({
        model: pipelineModel(deps.mongo),
        kind: 'pipeline',
        policy: { resource: 'deals' },
        events: deps.events,
        publisher: deps.publisher,
        log: deps.log,
      }),
    );
  }

  /** The tenant's pipelines, oldest first, as stored now. */
  async list(tenantId: string): Promise<PipelineRecord[]> {
    const docs = (await withStoreRetry(() =>
      this.records.model.collection.find({ tenantId }).toArray(),
    )) as unknown as PipelineRecord[];
    return docs.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.localeCompare(b._id));
  }

  async find(tenantId: string, id: string): Promise<PipelineRecord | undefined> {
    const doc = await this.records.load(id);
    return doc?.tenantId === tenantId ? doc : undefined;
  }

  async get(tenantId: string, id: string): Promise<PipelineRecord> {
    const doc = await this.find(tenantId, id);
    if (!doc) throw notFound('pipeline');
    return doc;
  }

  /** Creates the tenant's default pipeline unless it exists; of concurrent callers one creates it. */
  async ensureDefault(
    principal: Principal,
    build: () => PipelineFields,
    messages: (state: PipelineRecord) => EventMessage[],
  ): Promise<PipelineRecord> {
    const id = defaultPipelineId(principal.tenantId);
    const existing = await this.find(principal.tenantId, id);
    if (existing) return existing;
    try {
      return await this.insert(principal, id, build(), messages);
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === 'ALREADY_EXISTS')) throw error;
      return this.get(principal.tenantId, id);
    }
  }

  insert(
    principal: Principal,
    id: string,
    fields: PipelineFields,
    messages: (state: PipelineRecord) => EventMessage[],
  ): Promise<PipelineRecord> {
    return this.records.create(principal, { _id: id, ownerId: '', teamId: '', ...fields }, messages);
  }

  /** With expectedVersion, only at that version (FAILED_PRECONDITION otherwise); without, on the newest. */
  update(
    principal: Principal,
    id: string,
    expectedVersion: number | undefined,
    decide: (current: PipelineRecord) => Change<PipelineRecord> | null,
  ): Promise<PipelineRecord> {
    return this.records.update(principal, id, expectedVersion, decide);
  }
}
