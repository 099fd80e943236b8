import type { ContainerClient } from '@azure/storage-blob';
import { DayDigest } from '../core/run-tally.js';
import { statusOf } from './clients.js';

const blobName = (day: string) => `days/${day}.json`;

/**
 * Blob container `run-digests`: one JSON digest per settled UTC day of runs. A day's digest is written
 * once and never changes (its runs have all ended), so readers trust whatever they find.
 */
export class RunDigestStore {
  constructor(private readonly container: ContainerClient) {}

  async ensureContainer(): Promise<void> {
    await this.container.createIfNotExists();
  }

  /** The digest of `day` (`2026-05-01`), or null when none was written (or it is unreadable). */
  async read(day: string): Promise<DayDigest | null> {
    try {
      const text = (await this.container.getBlockBlobClient(blobName(day)).downloadToBuffer()).toString('utf8');
      const parsed = DayDigest.safeParse(JSON.parse(text));
      // a digest of another version or a damaged one is recomputed, as if missing
      return parsed.success && parsed.data.day === day ? parsed.data : null;
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
  }
}
