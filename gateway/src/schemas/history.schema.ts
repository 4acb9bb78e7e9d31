import { z } from 'zod';
import { listOf, timestamp } from './common.schema';

// A record's history (GET /api/v1/{resource}/{id}/history), the same for every resource: crm.common.v1.HistoryEntry.

export const fieldChangeSchema = z
  .object({
    field: z.string().meta({ description: 'The field as the record stores it, e.g. "title", "stageId".' }),
    from: z.unknown().meta({ description: 'The value before (JSON); null when unset or erased.' }),
    to: z.unknown().meta({ description: 'The value after (JSON); null when unset or erased.' }),
  })
  .meta({ id: 'FieldChange' });

export const historyEntrySchema = z
  .object({
    version: z.number().int(),
    type: z.string().meta({ description: 'The event of the change, e.g. "deal.stage_changed".' }),
    at: timestamp,
    actorUserId: z.string(),
    actorClientId: z.string(),
    changes: z.array(fieldChangeSchema),
  })
  .meta({ id: 'HistoryEntry' });

export const historyListSchema = listOf(historyEntrySchema, 'HistoryList');
