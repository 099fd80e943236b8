import type { ContainerClient } from '@azure/storage-blob';
import { DayDigest } from '../core/run-tally.js';
import { statusOf } from './clients.js';

const blobName = (day: string) => `days/${day}.json`;
/** Digests kept parsed in memory: a month and a month before it, about 150 KiB of JSON each at 3 300 runs a day. */
const DIGESTS_IN_MEMORY = 64;

/**
 * Blob container `run-digests`: one JSON digest per settled UTC day of runs. A day's digest is written
 * once and never changes (its runs have all ended), so readers trust whatever they find.
 */
export class RunDigestStore {
  /**
   * A digest never changes once written, so one read and parse per day per process is enough: a month's
   * statistics then cost no blob read at all (30 downloads and parses took most of a second).
   */
  private readonly parsed = new Map<string, DayDigest>();

  constructor(private readonly container: ContainerClient) {}

  private remember(digest: DayDigest): DayDigest {
    this.parsed.set(digest.day, digest);
    for (const oldest of this.parsed.keys()) {
      if (this.parsed.size <= DIGESTS_IN_MEMORY) break;
      this.parsed.delete(oldest);
    }
    return digest;
  }

  async ensureContainer(): Promise<void> {
    await this.container.createIfNotExists();
  }

  /** The digest of `day` (`2026-05-01`), or null when none was written (or it is unreadable). */
  async read(day: string): Promise<DayDigest | null> {
    const known = this.parsed.get(day);
    if (known) return known;
    try {
      const text = (await this.container.getBlockBlobClient(blobName(day)).downloadToBuffer()).toString('utf8');
      const parsed = DayDigest.safeParse(JSON.parse(text));
      // a digest of another version or a damaged one is recomputed, as if missing
      return parsed.success && parsed.data.day === day ? this.remember(parsed.data) : null;
    } catch (err) {
      if (statusOf(err) === 404 || err instanceof SyntaxError) return null;
      throw err;
    }
  }

  /** Writes a day's digest unless one exists: two app instances computing the same day write the same thing. */
  async write(digest: DayDigest): Promise<void> {
    const json = JSON.stringify(DayDigest.parse(digest));
    const upload = () =>
      this.container.getBlockBlobClient(blobName(digest.day)).upload(json, Buffer.byteLength(json), {
        blobHTTPHeaders: { blobContentType: 'application/json' },
        conditions: { ifNoneMatch: '*' },
      });
    try {
      await upload().catch(async (err: unknown) => {
        // an installation older than this container: make it, once, instead of failing the statistics
        if (statusOf(err) !== 404) throw err;
        await this.ensureContainer();
        await upload();
      });
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
    this.remember(digest);
  }
}
