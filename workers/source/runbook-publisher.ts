import type { Log } from '../../src/core/log.js';
import type { RunbookCatalogue } from '../../src/core/runbook-catalogue.js';
import { Ticker } from '../../src/core/ticker.js';
import type { RunbookSourceStore } from '../../src/storage/index.js';
import type { FolderLimits } from './folder-files.js';
import { DEFAULT_FOLDER_LIMITS, folderVersion, listFolderFiles } from './folder-files.js';

/** What a runbook source serves right now: a folder on disk, and where it came from. */
export interface ServedFolder {
  readonly root: string;
  /** The commit (GitHub), or null for a local folder (its version is then a hash of its files). */
  readonly commit: string | null;
  readonly repo: string | null;
  readonly branch: string | null;
  readonly repoUrl: string | null;
  readonly runbookPath: string;
  /** Ends the hold on the folder (a GitHub snapshot may be pruned afterwards). */
  readonly release?: () => void;
}

export interface RunbookPublisherOptions {
  /** The capability served (`worker` of the schemas). */
  readonly worker: string;
  readonly store: Pick<RunbookSourceStore, 'publish'>;
  /** The folder served now, or null while there is none (a GitHub source not synced yet). */
  readonly servedFolder: () => ServedFolder | null;
  /** How often the served folder is checked for changes, in ms. */
  readonly intervalMs: number;
  readonly limits?: FolderLimits;
  readonly now?: () => Date;
  readonly log: Log;
}

/**
 * Publishes what a worker serves (runbooks/ or a GitHub snapshot) to blob storage, for the app, which holds
 * no runbooks, to show their source. At start and then every `intervalMs`: a commit already published
 * costs nothing, a folder is hashed again (people edit RUNBOOKS_DIR in place), and storage is written only
 * when something changed. A failure is logged and tried again at the next tick; runs never wait for it.
 */
export class RunbookPublisher {
  private readonly ticker: Ticker;
  private lastCommit: string | null = null;
  private inFlight: Promise<void> | undefined;
  private started = false;

  constructor(private readonly options: RunbookPublisherOptions) {
    if (!(options.intervalMs > 0)) throw new Error('intervalMs must be > 0');
    this.ticker = new Ticker(() => this.publish(), options.intervalMs);
  }

  /** Publishes once now (awaited), then every interval. Calling it twice throws. */
  async start(): Promise<void> {
    if (this.started) throw new Error('RunbookPublisher already started');
    this.started = true;
    await this.publish();
    this.ticker.start();
  }

  /** Stops the ticks and waits for a publication under way. */
  async close(): Promise<void> {
    await this.ticker.stop();
    await this.inFlight;
  }

  /** One publication; concurrent calls share it. Never throws: a failure is logged. */
  publish(): Promise<void> {
    this.inFlight ??= this.publishOnce()
      .catch((err: unknown) => this.options.log('warn', `publishing runbooks of ${this.options.worker} failed`, err))
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async publishOnce(): Promise<void> {
    const folder = this.options.servedFolder();
    if (!folder) return;
    try {
      // a commit never changes: once published, there is nothing to hash or write
      if (folder.commit !== null && folder.commit === this.lastCommit) return;
      const listing = await listFolderFiles(folder.root, this.options.limits ?? DEFAULT_FOLDER_LIMITS);
      const catalogue: RunbookCatalogue = {
        worker: this.options.worker,
        version: folder.commit ?? folderVersion(listing.files),
        kind: folder.commit === null ? 'folder' : 'github',
        commit: folder.commit,
        repo: folder.repo,
        branch: folder.branch,
        repoUrl: folder.repoUrl,
        runbookPath: folder.runbookPath,
        publishedAt: (this.options.now?.() ?? new Date()).toISOString(),
        files: listing.files,
        truncated: listing.truncated,
      };
      const changed = await this.options.store.publish(catalogue, listing.sources);
      this.lastCommit = folder.commit;
      if (changed) {
        const what = folder.commit ? `commit ${folder.commit.slice(0, 12)}` : catalogue.version;
        this.options.log('info', `published ${listing.files.length} runbooks of ${this.options.worker} (${what})`);
      }
    } finally {
      folder.release?.();
    }
  }
}
