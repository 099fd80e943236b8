import type { ContainerClient } from '@azure/storage-blob';
import { deleteBlobs } from './blob-batch.js';
import { statusOf } from './clients.js';

/** An append block holds at most 4 MiB. */
export const MAX_APPEND_BYTES = 4 * 1024 * 1024;

/** Container `execution-logs`: one append blob `<execId>.log` per run, stdout and stderr interleaved. */
export class LogStore {
  constructor(private readonly container: ContainerClient) {}

  async ensureContainer(): Promise<void> {
    await this.container.createIfNotExists();
  }

  private blob(execId: string) {
    return this.container.getAppendBlobClient(`${execId}.log`);
  }

  async create(execId: string): Promise<void> {
    await this.blob(execId).createIfNotExists({
      blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' },
    });
  }

  /** Appends bytes, split into blocks the service accepts. */
  async append(execId: string, data: Uint8Array): Promise<void> {
    const blob = this.blob(execId);
    for (let offset = 0; offset < data.length; offset += MAX_APPEND_BYTES) {
      const chunk = data.subarray(offset, offset + MAX_APPEND_BYTES);
      await blob.appendBlock(chunk, chunk.length);
    }
  }

  /** Deletes runs' logs, a few hundred to a request; a run without one is fine. */
  async delete(execIds: readonly string[]): Promise<void> {
    await deleteBlobs(
      this.container,
      execIds.map((execId) => `${execId}.log`),
    );
  }

  /** The log's bytes from `offset` (none at or past its end), or null when the run has no log (yet). */
  async read(execId: string, offset = 0): Promise<Buffer | null> {
    const blob = this.blob(execId);
    try {
      // the size first, as downloadToBuffer would: it refuses an offset past the end with a RangeError
      const { contentLength = 0 } = await blob.getProperties();
      if (offset >= contentLength) return Buffer.alloc(0);
      return await blob.downloadToBuffer(offset, contentLength - offset);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }
}
