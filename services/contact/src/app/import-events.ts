import { initialOutbox, isDuplicateKey, type OutboxEntry } from '@crm/service-kit';
import type { ContactStore } from '../store/contact-store';

/**
 * Records a batch's creation events in one document (atomic insert under the batch key), then relays them. A
 * resumed batch finds its document already there and leaves it to the relay or the sweeper.
 */
export async function publishBatchEvents(
  store: ContactStore,
  tenantId: string,
  batchKey: string,
  entries: OutboxEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  try {
    await store.batchOutbox.create({ _id: batchKey, tenantId, ...initialOutbox(entries) });
  } catch (error) {
    if (isDuplicateKey(error)) return;
    throw error;
  }
  await store.relay.relayQuietly(store.batchOutboxStore, batchKey, entries);
}
