import { AnonymousCredential, AppendBlobClient } from '@azure/storage-blob';
import { MAX_APPEND_BYTES } from './log-store.js';

const LOG_HEADERS = { blobContentType: 'text/plain; charset=utf-8' };

/**
 * One run's log reached through a SAS URL that can only create and append to that blob (LogStore
 * .appendOnlyUrl): how a one-shot process streams its run's log without any storage rights of its own.
 * Always an append blob, even for a log stored whole at the end, since its worker may append after.
 */
export class AppendOnlyLog {
  private readonly blob: AppendBlobClient;

  constructor(url: string) {
    this.blob = new AppendBlobClient(url, new AnonymousCredential());
  }

  async create(): Promise<void> {
    await this.blob.createIfNotExists({ blobHTTPHeaders: LOG_HEADERS });
  }

  async append(_execId: string, data: Uint8Array): Promise<void> {
    for (let offset = 0; offset < data.length; offset += MAX_APPEND_BYTES) {
      const chunk = data.subarray(offset, offset + MAX_APPEND_BYTES);
      await this.blob.appendBlock(chunk, chunk.length);
    }
  }

  async put(execId: string, data: Uint8Array): Promise<void> {
    await this.create();
    if (data.length > 0) await this.append(execId, data);
  }
}
