import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from '../records/store-retry';

interface HandledEventDoc {
  _id: string;
  handledAt: Date;
}

/**
 * Ids of events a consumer has applied. The handler must still be safe to repeat (e.g. guarded by
 * aggregate_version), since a crash between applying and recording redelivers the event.
 */
export class HandledEvents {
  private readonly model: Model<HandledEventDoc>;

  constructor(connection: Connection) {
    const schema = new Schema<HandledEventDoc>(
      { _id: String, handledAt: { type: Date, required: true, index: true } },
      { versionKey: false },
    );
    this.model =
      connection.models.HandledEvent ?? connection.model<HandledEventDoc>('HandledEvent', schema, 'handled_events');
  }

  async has(consumer: string, eventId: string): Promise<boolean> {
    return (await this.model.exists({ _id: `${consumer}:${eventId}` })) !== null;
  }

  async add(consumer: string, eventId: string): Promise<void> {
    try {
      await this.model.create({ _id: `${consumer}:${eventId}`, handledAt: new Date() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** Expiry by sweeper: the store has no TTL indexes. */
  async pruneOlderThan(cutoff: Date): Promise<number> {
    const { deletedCount } = await this.model.deleteMany({ handledAt: { $lt: cutoff } });
    return deletedCount;
  }
}
