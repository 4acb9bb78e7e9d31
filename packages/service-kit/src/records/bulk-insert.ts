// Bulk inserts as the MongoDB-wire servers take them best. FerretDB v1 stores an insert 100 documents per SQL
// statement, one statement after another on one connection, and when a statement meets a duplicate _id it
// inserts that statement's documents again one at a time, each alone (five to fifteen times slower). Chunks of
// that size side by side use more than one core, and a duplicate costs only its own chunk's retry. On MongoDB
// the chunks are ordinary unordered inserts.
import type { Collection } from 'mongoose';
import { withStoreRetry } from './store-retry';

/** FerretDB's statement size. */
export const BULK_CHUNK = 100;
/** Chunks in flight at once. */
export const BULK_CONCURRENCY = 4;

/**
 * Inserts every document whose _id is free (unordered; the rest are left as they are) and returns the indexes,
 * in `docs`, of those whose _id was taken: by someone else, or by an earlier attempt of this very write (a retried
 * chunk after a lost answer), which only the caller can tell apart.
 */
export async function insertManyChunked<D extends { _id: unknown }>(
  collection: Collection<D>,
  docs: readonly D[],
): Promise<number[]> {
  const taken: number[] = [];
  const starts: number[] = [];
  for (let at = 0; at < docs.length; at += BULK_CHUNK) starts.push(at);
  let next = 0;
  const worker = async () => {
    while (next < starts.length) {
      const start = starts[next++] as number;
      const chunk = docs.slice(start, start + BULK_CHUNK);
      try {
        await withStoreRetry(() => collection.insertMany(chunk as never[], { ordered: false }));
      } catch (error) {
        const duplicates = duplicateIndexes(error);
        if (!duplicates) throw error;
        for (const index of duplicates) taken.push(start + index);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, starts.length) }, worker));
  return taken.sort((a, b) => a - b);
}

/** The indexes of a bulk write's failed documents when every failure is a duplicate key; else undefined. */
function duplicateIndexes(error: unknown): number[] | undefined {
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Array<{ index: number; code: number }>;
  if (list.length === 0 || list.some((e) => e.code !== 11000)) return undefined;
  return list.map((e) => e.index);
}
