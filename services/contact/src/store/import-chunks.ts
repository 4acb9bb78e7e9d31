// An import's file, stored in chunk documents while it is received and read back by the worker, by _id.
import { withStoreRetry } from '@crm/service-kit';
import type { Collection, Connection } from 'mongoose';

interface ChunkDoc {
  _id: string;
  tenantId: string;
  jobId: string;
  seq: number;
  data: Buffer;
}

export class ImportChunks {
  private readonly chunks: Collection<ChunkDoc>;

  constructor(mongo: Connection) {
    this.chunks = mongo.collection<ChunkDoc>('import_chunks');
  }

  async ensureIndexes(): Promise<void> {
    await this.chunks.createIndex({ jobId: 1 });
  }

  async add(job: { _id: string; tenantId: string }, seq: number, data: Buffer): Promise<void> {
    await withStoreRetry(() =>
      this.chunks.insertOne({ _id: chunkId(job._id, seq), tenantId: job.tenantId, jobId: job._id, seq, data }),
    );
  }

  async get(jobId: string, seq: number): Promise<Buffer | undefined> {
    const doc = await withStoreRetry(() => this.chunks.findOne({ _id: chunkId(jobId, seq) }));
    if (!doc) return undefined;
    const data = doc.data as unknown;
    return Buffer.isBuffer(data) ? data : Buffer.from((data as { buffer: Uint8Array }).buffer);
  }

  async remove(jobId: string): Promise<void> {
    await withStoreRetry(() => this.chunks.deleteMany({ jobId }));
  }
}

function chunkId(jobId: string, seq: number): string {
  return `${jobId}:${String(seq).padStart(8, '0')}`;
}
