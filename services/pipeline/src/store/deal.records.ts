// Deal records: snapshots in MongoDB, written only through the kit's RecordStore (the event log is the
// compare-and-set, the outbox and the history). Read by _id only; lists, boards and forecasts read the read model.
import { Schema, type Connection, type Model } from 'mongoose';
import { RecordStore, type EventLog, type EventPublisher, type Projection, type TenantRecord } from '@crm/service-kit';
import type { Logger } from 'pino';
import type { DealFields } from '../domain/deal';

export type DealRecord = TenantRecord & DealFields;

export const DEALS_COLLECTION = 'deals';

const stageVisitSchema = new Schema({ stageId: String, enteredAt: Date, leftAt: Date, by: String }, { _id: false });

const dealSchema = new Schema<DealRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    ownerId: { type: String, required: true },
    teamId: { type: String, default: '' },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    deletedAt: { type: Date, default: null },
    title: { type: String, required: true },
    amountMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    pipelineId: { type: String, required: true },
    stageId: { type: String, required: true },
    status: { type: String, required: true },
    contactId: { type: String, default: '' },
    companyId: { type: String, default: '' },
    expectedCloseDate: { type: String, default: '' },
    nextStep: { type: String, default: '' },
    customFields: { type: Schema.Types.Mixed, default: {} },
    lostReason: { type: String, default: '' },
    closedAt: { type: Date, default: null },
    rank: { type: String, required: true },
    stageHistory: { type: [stageVisitSchema], default: [] },
    forecastDate: { type: String, default: '' },
    externalId: { type: String, default: '' },
  },
  // Deals are read by _id alone: no secondary index (everything else is a read-model query).
  { versionKey: false, minimize: false, autoIndex: false },
);

export function dealModel(connection: Connection): Model<DealRecord> {
  return (
    (connection.models.Deal as Model<DealRecord> | undefined) ??
    connection.model<DealRecord>('Deal', dealSchema, DEALS_COLLECTION)
  );
}

export interface RecordStoreDeps {
  mongo: Connection;
  events: EventLog;
  publisher: EventPublisher;
  log: Logger;
}

export function dealStore(deps: RecordStoreDeps, projections: Array<Projection<DealRecord>>): RecordStore<DealRecord> {
  return new RecordStore<DealRecord>({
    model: dealModel(deps.mongo),
    kind: 'deal',
    policy: { resource: 'deals' },
    events: deps.events,
    publisher: deps.publisher,
    log: deps.log,
    projections,
    // Derived from other fields: the close date or expected close date, and the visits the stage moves record.
    historyOmits: ['forecastDate', 'stageHistory'],
  });
}
