import type { WorkerRegistry } from './worker-registry.js';

/**
 * Which capabilities a live worker serves, as Table Workers says, read at most once per `ttlMs` per
 * process: the trigger asks on every run, and a few seconds' staleness only delays a warning.
 */
export class WorkerPresence {
  private cached: { readonly at: number; readonly served: ReadonlySet<string> } | null = null;

  constructor(
    private readonly registry: Pick<WorkerRegistry, 'list'>,
    private readonly staleWorkerMs: number,
    private readonly ttlMs = 5_000,
  ) {}

  /** False only when no live worker serves `capability`; true when it cannot tell (storage trouble). */
  async serves(capability: string): Promise<boolean> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.ttlMs) {
      const workers = await this.registry.list().catch(() => null);
      if (!workers) return true;
      const live = workers.filter((w) => now - Date.parse(w.lastSeen) <= this.staleWorkerMs);
      // capabilities name queues case-insensitively (resource-names.ts)
      this.cached = { at: now, served: new Set(live.map((w) => w.capability.toLowerCase())) };
    }
    return this.cached.served.has(capability.toLowerCase());
  }
}
