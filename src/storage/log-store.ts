import type { AppendBlobClient, ContainerClient } from '@azure/storage-blob';
import { BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { deleteBlobs } from './blob-batch.js';
import { statusOf } from './clients.js';

/** An append block holds at most 4 MiB. */
export const MAX_APPEND_BYTES = 4 * 1024 * 1024;

const LOG_HEADERS = { blobContentType: 'text/plain; charset=utf-8' };

/** Bytes `start`-`end` (exclusive) of a log of `size` bytes. */
export interface LogPart {
  readonly data: Buffer;
  readonly start: number;
  readonly end: number;
  /** The whole log's size when it was read (a live run's grows). */
  readonly size: number;
}

/**
 * Container `execution-logs`: one blob `<execId>.log` per run, stdout and stderr interleaved: an append blob
 * for a run whose output was stored as it came, a block blob for one stored whole at its end. Readers read
 * both alike (size, then a range).
 */
export class LogStore {
  constructor(private readonly container: ContainerClient) {}

  async ensureContainer(): Promise<void> {
    await this.container.createIfNotExists();
  }

  private blob(execId: string) {
    return this.container.getAppendBlobClient(`${execId}.log`);
  }

  /** Creates the run's log empty, ready for appends (a run whose output is stored as it comes). */
  async create(execId: string): Promise<void> {
    await this.blob(execId).createIfNotExists({ blobHTTPHeaders: LOG_HEADERS });
  }

  /**
   * Stores a run's whole log in one request, replacing any: for a run that ended before its output was
   * first flushed, one request instead of a create and an append. Nothing can be appended to it after.
   */
  async put(execId: string, data: Uint8Array): Promise<void> {
    await this.container
      .getBlockBlobClient(`${execId}.log`)
      .upload(data, data.length, { blobHTTPHeaders: LOG_HEADERS });
  }

  /** Appends bytes, split into blocks the service accepts. */
  async append(execId: string, data: Uint8Array): Promise<void> {
    await appendInBlocks(this.blob(execId), data);
  }

  /**
   * A URL with which its holder can append to this run's log, and do nothing else (not read it, not
   * replace it, not touch another blob), until `expiresOn`: what an isolated run's one-shot process streams its
   * log with, holding no storage rights of its own. A user-delegation SAS when storage is reached with an
   * Entra identity (no account key exists then), a service SAS signed with the key otherwise (Azurite).
   */
  async appendOnlyUrl(execId: string, expiresOn: Date): Promise<string> {
    const blob = this.blob(execId);
    // a few minutes back: the holder's clock may be behind ours
    const startsOn = new Date(Date.now() - 5 * 60_000);
    const sas = { permissions: BlobSASPermissions.parse('a'), startsOn, expiresOn };
    const { credential } = this.container;
    if (credential instanceof StorageSharedKeyCredential) return blob.generateSasUrl(sas);
    const account = new BlobServiceClient(this.container.url.replace(/\/[^/]+\/?$/, ''), credential);
    const key = await account.getUserDelegationKey(startsOn, expiresOn);
    return blob.generateUserDelegationSasUrl(sas, key);
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
    const part = await this.readPart(execId, (size) => ({ start: offset, end: size }));
    return part?.data ?? null;
  }

  /**
   * A part of the log, chosen by `pick` from the log's size (the last 256 KiB, bytes 1000-2000), clipped
   * to the log; null when the run has no log (yet). Two requests whatever the log's size: a 50 MB log is
   * never read whole to show a piece of it.
   */
  async readPart(execId: string, pick: (size: number) => { start: number; end: number }): Promise<LogPart | null> {
    const blob = this.blob(execId);
    try {
      // the size first, as downloadToBuffer would: it refuses an offset past the end with a RangeError
      const { contentLength: size = 0 } = await blob.getProperties();
      const wanted = pick(size);
      const start = Math.min(Math.max(0, wanted.start), size);
      const end = Math.min(Math.max(start, wanted.end), size);
      const data = end > start ? await blob.downloadToBuffer(start, end - start) : Buffer.alloc(0);
      return { data, start, end: start + data.length, size };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }
}

/** Appends bytes to an append blob, split into blocks the service accepts (one log's client, or a SAS URL's). */
export async function appendInBlocks(blob: AppendBlobClient, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length; offset += MAX_APPEND_BYTES) {
    const chunk = data.subarray(offset, offset + MAX_APPEND_BYTES);
    await blob.appendBlock(chunk, chunk.length);
  }
}
