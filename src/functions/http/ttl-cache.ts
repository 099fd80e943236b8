/**
 * Answers kept for `ttlMs`, at most `maxEntries` of them (the oldest goes first). It holds the promise, so
 * callers asking the same question meanwhile share one computation; a failed one is forgotten at once.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { expiresAtMs: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ttlMs > 0)) throw new Error(`ttlMs must be > 0, got ${ttlMs}`);
    if (!(maxEntries > 0)) throw new Error(`maxEntries must be > 0, got ${maxEntries}`);
  }

  /** The cached answer for `key`, or `compute`'s, kept from now on. */
  get(key: string, compute: () => Promise<V>): Promise<V> {
    const nowMs = this.now();
    const found = this.entries.get(key);
    if (found && found.expiresAtMs > nowMs) return found.value;
    this.entries.delete(key);
    const value = compute();
    this.entries.set(key, { expiresAtMs: nowMs + this.ttlMs, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
    return value;
  }
}
