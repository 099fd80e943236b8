import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { AlertContext } from '../core/alert-context.js';
import { deleteBlobs } from './blob-batch.js';
import { statusOf } from './clients.js';
import { readStored } from './stored-value.js';

/** What an alert run carries to its worker: the parsed alert (for the env) and the payload as received (for the file). */
export const AlertPayload = z.object({ alert: AlertContext, payload: z.unknown() });
export type AlertPayload = z.infer<typeof AlertPayload>;

/**
 * A run's own blob: its alert and the request its payload came in, or, for a request that started only this
 * run (and for blobs written before payloads were kept once per request), the payload itself.
 */
const RunAlert = z.union([
  z.object({ alert: AlertContext, requestId: z.uuid() }),
  z.object({ alert: AlertContext, payload: z.unknown() }),
]);

/** A request's payload on its way to storage: its id is known before the write ends. */
export interface PendingRequest {
  readonly requestId: string;
  readonly stored: Promise<void>;
}

/**
 * Container `alert-payloads`: the body of each alert request once (`requests/<requestId>.json`), however
 * many runs its alerts start, and per alert run a small `<execId>.json` with its alert and that request's
 * id; a request of one alert for one schema keeps its body in its run's blob instead. Kept out of the execution row and the queue message: a payload may be up to the body limit.
 */
export class AlertPayloadStore {
  constructor(private readonly container: ContainerClient) {}

  async ensureContainer(): Promise<void> {
    await this.container.createIfNotExists();
  }

  /** Stores a request's payload; returns the id runs point at it with. */
  async saveRequest(payload: unknown): Promise<string> {
    const { requestId, stored } = this.startRequest(payload);
    await stored;
    return requestId;
  }

  /**
   * Starts storing a request's payload and gives its id at once, so the runs' own blobs that point at it
   * can be written alongside instead of after it (one storage round trip less on the webhook's answer).
   * A run must not be queued before `stored` has settled: a worker reads the payload when it starts.
   */
  startRequest(payload: unknown): PendingRequest {
    const requestId = randomUUID();
    return { requestId, stored: this.put(`requests/${requestId}.json`, JSON.stringify(payload)) };
  }

  /**
   * Stores a run's alert with its request's payload in one blob: for a request that can start no other
   * run, one write where a shared payload would take two.
   */
  async saveWhole(execId: string, value: { alert: AlertContext; payload: unknown }): Promise<void> {
    await this.put(`${execId}.json`, JSON.stringify(RunAlert.parse(value)));
  }

  /** Stores what one run needs: its alert, and the request (saved with `saveRequest`) it came in. */
  async save(execId: string, value: { alert: AlertContext; requestId: string }): Promise<void> {
    await this.put(`${execId}.json`, JSON.stringify(RunAlert.parse(value)));
  }

  /** The run's alert and its request's payload, as received; null when the run has none. */
  async load(execId: string): Promise<AlertPayload | null> {
    const run = await this.read(`${execId}.json`);
    if (run === null) return null;
    const stored = readStored(RunAlert, run, `alert of run ${execId}`);
    if ('payload' in stored) return { alert: stored.alert, payload: stored.payload };
    return { alert: stored.alert, payload: await this.read(`requests/${stored.requestId}.json`) };
  }

  /** Only the run's alert (what routing needs), without reading the payload. */
  async loadAlert(execId: string): Promise<AlertContext | null> {
    const run = await this.read(`${execId}.json`);
    return run === null ? null : readStored(RunAlert, run, `alert of run ${execId}`).alert;
  }

  /**
   * What the run's own blob says (its alert, and the request whose payload it points at: null for a blob
   * that carries the payload itself), without reading the payload; null when the run has none.
   */
  async loadRun(execId: string): Promise<{ alert: AlertContext; requestId: string | null } | null> {
    const run = await this.read(`${execId}.json`);
    if (run === null) return null;
    const stored = readStored(RunAlert, run, `alert of run ${execId}`);
    return { alert: stored.alert, requestId: 'requestId' in stored ? stored.requestId : null };
  }

  /** Deletes runs' own blobs (not their requests' payloads, which other runs may point at). */
  async deleteRuns(execIds: readonly string[]): Promise<void> {
    await deleteBlobs(
      this.container,
      execIds.map((execId) => `${execId}.json`),
    );
  }

  /** Deletes requests' payloads, whichever runs still point at them. */
  async deleteRequests(requestIds: readonly string[]): Promise<void> {
    await deleteBlobs(
      this.container,
      requestIds.map((requestId) => `requests/${requestId}.json`),
    );
  }

  private async put(name: string, body: string): Promise<void> {
    await this.container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  }

  private async read(name: string): Promise<unknown> {
    try {
      return JSON.parse((await this.container.getBlockBlobClient(name).downloadToBuffer()).toString('utf8'));
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }
}
