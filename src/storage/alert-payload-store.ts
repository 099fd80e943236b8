import type { ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { AlertContext } from '../core/alert-context.js';
import { statusOf } from './clients.js';

/** What an alert run carries to its worker: the parsed alert (for the env) and the payload as received (for the file). */
export const AlertPayload = z.object({ alert: AlertContext, payload: z.unknown() });
export type AlertPayload = z.infer<typeof AlertPayload>;

/**
 * Container `alert-payloads`: one blob `<execId>.json` per alert run. Kept out of the execution row and
 * the queue message: a payload may be up to the body limit, and a message carries no data anyway.
 */
export class AlertPayloadStore {
  constructor(private readonly container: ContainerClient) {}

  async ensureContainer(): Promise<void> {
    await this.container.createIfNotExists();
  }

  async save(execId: string, value: AlertPayload): Promise<void> {
    const body = JSON.stringify(AlertPayload.parse(value));
    await this.container.getBlockBlobClient(`${execId}.json`).upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  }

  async load(execId: string): Promise<AlertPayload | null> {
    try {
      const buffer = await this.container.getBlockBlobClient(`${execId}.json`).downloadToBuffer();
      return AlertPayload.parse(JSON.parse(buffer.toString('utf8')));
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }
}
