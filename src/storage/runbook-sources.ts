import type { ContainerClient } from '@azure/storage-blob';
import { WORKER_NAME_PATTERN } from '../core/resource-names.js';
import type { RunbookCatalogue } from '../core/runbook-catalogue.js';
import { RunbookCatalogue as CatalogueSchema, catalogueFileOf } from '../core/runbook-catalogue.js';
import { deleteBlobs } from './blob-batch.js';
import { statusOf } from './clients.js';

/** One file to publish: its catalogue entry's path and its bytes. */
export interface PublishedSource {
  readonly path: string;
  readonly content: Buffer;
}

/** What reading a runbook's source found. */
export type RunbookSourceRead =
  | { readonly ok: true; readonly content: Buffer }
  | {
      readonly ok: false;
      readonly reason: 'not-listed' | 'not-stored' | 'missing' | 'too-large';
      readonly size?: number;
    };

/** Blobs uploaded at once by one publication. */
const UPLOAD_CONCURRENCY = 8;

/**
 * Container `runbook-sources`: per worker capability `<worker>/catalogue.json` and the files it lists under
 * `<worker>/<version>/<path>`. A version folder is written whole before the catalogue names it and is never
 * rewritten with other content (a commit, or a hash of the folder's files), so a reader that read the
 * catalogue finds its files; the folder of the version before stays for readers still on it.
 */
export class RunbookSourceStore {
  private ensured: Promise<void> | undefined;

  constructor(private readonly container: ContainerClient) {}

  async ensureContainer(): Promise<void> {
    await this.container.createIfNotExists();
  }

  /** The catalogue published for `worker`, or null when none was (or it cannot be read as one). */
  async readCatalogue(worker: string): Promise<RunbookCatalogue | null> {
    if (!WORKER_NAME_PATTERN.test(worker)) return null;
    try {
      const text = (await this.container.getBlockBlobClient(catalogueName(worker)).downloadToBuffer()).toString();
      const parsed = CatalogueSchema.safeParse(JSON.parse(text));
      return parsed.success && parsed.data.worker === worker ? parsed.data : null;
    } catch (err) {
      if (statusOf(err) === 404 || err instanceof SyntaxError) return null;
      throw err;
    }
  }

  /**
   * Publishes `catalogue` with the content of its stored files. Idempotent: a catalogue equal to the
   * published one but for its time writes nothing and returns false.
   */
  async publish(catalogue: RunbookCatalogue, sources: readonly PublishedSource[]): Promise<boolean> {
    const valid = CatalogueSchema.parse(catalogue);
    // a worker may start before the app ever created the container
    this.ensured ??= this.ensureContainer().catch((err: unknown) => {
      this.ensured = undefined;
      throw err;
    });
    await this.ensured;
    const before = await this.readCatalogue(valid.worker);
    if (before && sameContent(before, valid)) return false;
    const byPath = new Map(sources.map((s) => [s.path, s.content]));
    const stored = valid.files.filter((f) => f.stored);
    for (let i = 0; i < stored.length; i += UPLOAD_CONCURRENCY) {
      await Promise.all(
        stored.slice(i, i + UPLOAD_CONCURRENCY).map(async (file) => {
          const content = byPath.get(file.path);
          if (!content) throw new Error(`no content given for ${file.path}`);
          await this.container
            .getBlockBlobClient(sourceName(valid.worker, valid.version, file.path))
            .uploadData(content, { blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' } });
        }),
      );
    }
    const json = Buffer.from(JSON.stringify(valid));
    await this.container
      .getBlockBlobClient(catalogueName(valid.worker))
      .uploadData(json, { blobHTTPHeaders: { blobContentType: 'application/json' } });
    await this.pruneVersions(valid.worker, new Set([valid.version, ...(before ? [before.version] : [])]));
    return true;
  }

  /**
   * A runbook's source as the catalogue of its worker lists it, up to `maxBytes`. Only a path the catalogue
   * lists becomes a blob name, so a name the worker did not publish reaches no blob.
   */
  async readSource(catalogue: RunbookCatalogue, runbook: string, maxBytes: number): Promise<RunbookSourceRead> {
    const file = catalogueFileOf(catalogue, runbook);
    if (!file) return { ok: false, reason: 'not-listed' };
    if (file.size > maxBytes) return { ok: false, reason: 'too-large', size: file.size };
    if (!file.stored) return { ok: false, reason: 'not-stored', size: file.size };
    const blob = this.container.getBlockBlobClient(sourceName(catalogue.worker, catalogue.version, file.path));
    try {
      // the blob's own size, not the catalogue's: a blob bigger than its entry says is refused all the same
      const { contentLength = 0 } = await blob.getProperties();
      if (contentLength > maxBytes) return { ok: false, reason: 'too-large', size: contentLength };
      const content = contentLength === 0 ? Buffer.alloc(0) : await blob.downloadToBuffer(0, contentLength);
      return { ok: true, content };
    } catch (err) {
      // pruned after a newer publication, or never written: the caller reads the catalogue again
      if (statusOf(err) === 404 || statusOf(err) === 416) return { ok: false, reason: 'missing' };
      throw err;
    }
  }

  /** Deletes the version folders of `worker` other than `keep`: at most two versions stay stored. */
  private async pruneVersions(worker: string, keep: ReadonlySet<string>): Promise<void> {
    const stale: string[] = [];
    for await (const item of this.container.listBlobsByHierarchy('/', { prefix: `${worker}/` })) {
      if (item.kind !== 'prefix') continue;
      const version = item.name.slice(worker.length + 1, -1);
      if (!keep.has(version)) stale.push(item.name);
    }
    for (const prefix of stale) {
      const names: string[] = [];
      for await (const blob of this.container.listBlobsFlat({ prefix })) names.push(blob.name);
      await deleteBlobs(this.container, names);
    }
  }
}

function catalogueName(worker: string): string {
  return `${worker}/catalogue.json`;
}

function sourceName(worker: string, version: string, path: string): string {
  return `${worker}/${version}/${path}`;
}

/** Same commit and files: a publication would change nothing a reader sees. */
function sameContent(a: RunbookCatalogue, b: RunbookCatalogue): boolean {
  const { publishedAt: _a, ...restA } = a;
  const { publishedAt: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}
