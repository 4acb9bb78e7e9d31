// The newest event applied per tenant and stream: what a dashboard's figures are "as of". Kept in memory and written
// every second, so that the projection's transactions never queue on one shared row; positions only move forward.
import { sql, type Kysely } from 'kysely';
import type { EventMeta, StreamName } from '../domain/fact-events';

export interface StreamPosition {
  stream: StreamName;
  lastEventAt: Date;
}

export class StreamPositions {
  private pending = new Map<string, { tenantId: string; stream: StreamName; at: Date }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Kysely<unknown>) {}

  saw(meta: Pick<EventMeta, 'tenantId' | 'stream' | 'occurredAt'>): void {
    const key = `${meta.tenantId}\u0000${meta.stream}`;
    const seen = this.pending.get(key);
    if (!seen || seen.at < meta.occurredAt)
      this.pending.set(key, { tenantId: meta.tenantId, stream: meta.stream, at: meta.occurredAt });
  }

  start(periodMs = 1000): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), periodMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.pending.size) return;
    const batch = [...this.pending.values()].sort((a, b) =>
      `${a.tenantId}${a.stream}` < `${b.tenantId}${b.stream}` ? -1 : 1,
    );
    this.pending = new Map();
    await sql`
      insert into stream_positions (tenant_id, stream, last_event_at)
      values ${sql.join(batch.map((p) => sql`(${p.tenantId}, ${p.stream}, ${p.at})`))}
      on conflict (tenant_id, stream) do update
      set last_event_at = greatest(stream_positions.last_event_at, excluded.last_event_at)`.execute(this.db);
  }

  async of(tenantId: string): Promise<StreamPosition[]> {
    const { rows } = await sql<{ stream: StreamName; last_event_at: Date }>`
      select stream, last_event_at from stream_positions where tenant_id = ${tenantId} order by stream`.execute(
      this.db,
    );
    return rows.map((r) => ({ stream: r.stream, lastEventAt: r.last_event_at }));
  }
}
