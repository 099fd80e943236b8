import type { WorkerBeat, WorkerRegistry } from './worker-registry.js';

/**
 * Which capabilities a live worker serves, as Table Workers says, read at most once per `ttlMs` per
 * process: the trigger asks on every run, and a few seconds' staleness only delays a warning.
 */
export class WorkerPresence {
  private cached: { readonly at: number; readonly live: readonly WorkerBeat[] } | null = null;

  constructor(
    private readonly registry: Pick<WorkerRegistry, 'list'>,
    private readonly staleWorkerMs: number,
    private readonly ttlMs = 5_000,
  ) {}

  /** False only when no live worker serves `capability`; true when it cannot tell (storage trouble). */
  async serves(capability: string): Promise<boolean> {
    const live = await this.liveWorkers();
    return live === null || live.some((w) => sameCapability(w, capability));
  }

  /**
   * Wake-up addresses of the live workers of `capability`, those with a free slot when they last beat
   * first (a full worker cannot poll); none when storage does not answer.
   */
  async wakeUrls(capability: string): Promise<string[]> {
    const workers = ((await this.liveWorkers()) ?? []).filter((w) => w.wakeUrl && sameCapability(w, capability));
    const free = workers.filter((w) => w.runningRuns.length < w.concurrency);
    const full = workers.filter((w) => w.runningRuns.length >= w.concurrency);
    // replicas behind one ingress share its address: one nudge reaches one of them
    return [...new Set([...shuffled(free), ...shuffled(full)].map((w) => w.wakeUrl ?? ''))];
  }

  private async liveWorkers(): Promise<readonly WorkerBeat[] | null> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.ttlMs) {
      const workers = await this.registry.list().catch(() => null);
      if (!workers) return null;
      this.cached = { at: now, live: workers.filter((w) => now - Date.parse(w.lastSeen) <= this.staleWorkerMs) };
    }
    return this.cached.live;
  }
}

// capabilities name queues case-insensitively (resource-names.ts)
const sameCapability = (w: WorkerBeat, capability: string) => w.capability.toLowerCase() === capability.toLowerCase();

/** Spreads nudges over the workers, so one of several idle ones is not woken for every run. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
