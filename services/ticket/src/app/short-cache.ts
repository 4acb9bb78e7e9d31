// Admin configuration read on every ticket write (custom-field definitions, a group's assignment mode) kept for a
// moment: a write then costs no read of it. This replica forgets an entry when it changes it, so its own writes
// apply at once; other replicas see a change within the cache time, as with SLA policies (SlaContext).
export const CONFIG_CACHE_MS = 2_000;

export class ShortCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number = CONFIG_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = load();
    const entry = { at: this.now(), value };
    this.entries.set(key, entry);
    // A failed read is not kept.
    value.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    if (this.entries.size > 10_000) this.prune();
    return value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  private prune(): void {
    for (const [key, entry] of this.entries) if (this.now() - entry.at >= this.ttlMs) this.entries.delete(key);
  }
}
