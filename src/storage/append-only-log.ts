import { AnonymousCredential, AppendBlobClient } from '@azure/storage-blob';
import { appendInBlocks } from './log-store.js';

/**
 * One run's log, made by its worker, reached through a SAS URL that can only append to that blob
 * (LogStore.appendOnlyUrl): how a one-shot process streams its run's log without any storage rights of its
 * own. A log stored whole at the end is appended too: its worker's lines are already in it.
 */
export class AppendOnlyLog {
  private readonly blob: AppendBlobClient;

  constructor(url: string) {
    this.blob = new AppendBlobClient(url, new AnonymousCredential());
  }

  /** The worker made the log before the group existed: the URL may only append to it. */
  async create(): Promise<void> {}

  async append(_execId: string, data: Uint8Array): Promise<void> {
    await appendInBlocks(this.blob, data);
  }

  async put(execId: string, data: Uint8Array): Promise<void> {
    if (data.length > 0) await this.append(execId, data);
  }
}
