import type { WorkerBeat, WorkerRegistry } from './worker-registry.js';

/**
 * Which live workers serve a capability, and where they are woken, as Table Workers says, read at most once
 * per `ttlMs` per process: the trigger asks on every run, and a few seconds' staleness only delays a
 * warning, or sends a nudge to a worker that has just gone (the run then waits for a poll).
 */
export class WorkerPresence {
  private cached: { readonly at: number; readonly live: readonly WorkerBeat[] } | null = null;
  private refreshing: Promise<readonly WorkerBeat[] | null> | undefined;

  private readonly lookAgainAfterMs: number;

  /**
   * `lookAgainAfterMs` (default 1000): when the list holds no worker to nudge, it is read again if at least
   * that old, whatever `ttlMs` says: a worker that has just joined would otherwise miss every nudge until
   * the next regular read, and a deployment without wake-up pays one read a second at most.
   */
  constructor(
    private readonly registry: Pick<WorkerRegistry, 'list'>,
    private readonly staleWorkerMs: number,
    private readonly ttlMs = 5_000,
    options: { readonly lookAgainAfterMs?: number } = {},
  ) {
    this.lookAgainAfterMs = options.lookAgainAfterMs ?? 1_000;
  }

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
    const urls = wakeUrlsOf(await this.liveWorkers(true), capability);
    const cached = this.cached;
    if (urls.length > 0 || !cached || Date.now() - cached.at < this.lookAgainAfterMs) return urls;
    // the caller bounds its wait (WorkerWake's waitMs): a read here delays no trigger by more than that
    return wakeUrlsOf(await this.readNow(), capability);
  }

  /** The list read now (joining a read under way). */
  private readNow(): Promise<readonly WorkerBeat[] | null> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /**
   * The live workers as last read, reading again once `ttlMs` old (one read at a time however many ask).
   * `allowStale`: an old list now, the new one in the background (nudges must not wait on a table query).
   */
  private async liveWorkers(allowStale = false): Promise<readonly WorkerBeat[] | null> {
    const cached = this.cached;
    if (cached && Date.now() - cached.at <= this.ttlMs) return cached.live;
    const reading = this.readNow();
    return allowStale && cached ? cached.live : reading;
  }

  private async refresh(): Promise<readonly WorkerBeat[] | null> {
    const workers = await this.registry.list().catch(() => null);
    if (!workers) return null;
    const now = Date.now();
    this.cached = { at: now, live: workers.filter((w) => now - Date.parse(w.lastSeen) <= this.staleWorkerMs) };
    return this.cached.live;
  }
}

/** Wake-up addresses of `capability`'s workers, those with a free slot when they last beat first. */
function wakeUrlsOf(live: readonly WorkerBeat[] | null, capability: string): string[] {
  const workers = (live ?? []).filter((w) => w.wakeUrl && sameCapability(w, capability));
  const free = workers.filter((w) => w.runningRuns.length < w.concurrency);
  const full = workers.filter((w) => w.runningRuns.length >= w.concurrency);
  // replicas behind one ingress share its address: one nudge reaches one of them
  return [...new Set([...shuffled(free), ...shuffled(full)].map((w) => w.wakeUrl ?? ''))];
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
