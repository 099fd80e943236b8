import { TableClient } from '@azure/data-tables';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { ContainerClient } from '@azure/storage-blob';
import { BlobServiceClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import { QueueServiceClient } from '@azure/storage-queue';
import type { StorageConnection } from '../core/storage-settings.js';

/** The one place that turns storage settings into SDK clients. */
export interface StorageClients {
  table(name: string): TableClient;
  queue(name: string): QueueClient;
  container(name: string): ContainerClient;
  /** Names of the queues that start with `prefix`. */
  listQueues(prefix: string): Promise<string[]>;
}

/**
 * How hard a client retries. `patient` (the SDKs' defaults, up to about half a minute): workers and
 * background functions, which lose nothing by waiting out a blip. `prompt` (about a second): the app, where
 * a person or Azure Monitor waits on the answer and retries on its own, so an outage gives a quick 503.
 */
export type StorageRetry = 'patient' | 'prompt';

const PROMPT_TABLES = { retryOptions: { maxRetries: 2, retryDelayInMs: 150, maxRetryDelayInMs: 400 } };
const PROMPT_QUEUES_BLOBS = {
  retryOptions: { maxTries: 3, retryDelayInMs: 150, maxRetryDelayInMs: 400, tryTimeoutInMs: 5_000 },
};

async function listQueueNames(service: QueueServiceClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const queue of service.listQueues({ prefix })) names.push(queue.name);
  return names;
}

export function createStorageClients(connection: StorageConnection, retry: StorageRetry = 'patient'): StorageClients {
  const tableOptions = retry === 'prompt' ? PROMPT_TABLES : {};
  const otherOptions = retry === 'prompt' ? PROMPT_QUEUES_BLOBS : {};
  if (connection.kind === 'connection-string') {
    const { connectionString } = connection;
    const queues = QueueServiceClient.fromConnectionString(connectionString, otherOptions);
    const blobs = BlobServiceClient.fromConnectionString(connectionString, otherOptions);
    // Azurite speaks plain http; the tables SDK refuses that unless told
    const allowInsecureConnection =
      /UseDevelopmentStorage=true/i.test(connectionString) ||
      /(^|;)\s*(TableEndpoint|DefaultEndpointsProtocol)=http(:|;|$)/i.test(connectionString);
    return {
      table: (name) =>
        TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection, ...tableOptions }),
      queue: (name) => queues.getQueueClient(name),
      container: (name) => blobs.getContainerClient(name),
      listQueues: (prefix) => listQueueNames(queues, prefix),
    };
  }
  const credential = lazyDefaultCredential(connection.clientId);
  const queues = new QueueServiceClient(connection.queueServiceUri, credential, otherOptions);
  const blobs = new BlobServiceClient(connection.blobServiceUri, credential, otherOptions);
  return {
    table: (name) => new TableClient(connection.tableServiceUri, name, credential, tableOptions),
    queue: (name) => queues.getQueueClient(name),
    container: (name) => blobs.getContainerClient(name),
    listQueues: (prefix) => listQueueNames(queues, prefix),
  };
}

/**
 * `DefaultAzureCredential`, loaded when the first token is asked for: `@azure/identity` and MSAL weigh
 * ~20 MB of memory, and a process on a connection string (every local stack, most workers) never needs them.
 */
export function lazyDefaultCredential(clientId: string | null): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      credential ??= import('@azure/identity').then(
        ({ DefaultAzureCredential }) =>
          new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}),
      );
      return (await credential).getToken(scopes, options);
    },
  };
}

/** Status code of an Azure SDK RestError, or undefined for anything else. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const code = (err as { statusCode: unknown }).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/** Node's codes for a storage endpoint that cannot be reached at all. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'REQUEST_SEND_ERROR',
]);

/**
 * True when storage itself failed (down, unreachable, overloaded or timed out), as opposed to a request
 * it refused: the caller may try again later, and nothing about its request was wrong.
 */
export function isStorageUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const status = statusOf(err);
  if (status !== undefined) return status === 500 || status === 502 || status === 503 || status === 504;
  const { code, name } = err as { code?: unknown; name?: unknown };
  return name === 'AbortError' || name === 'TimeoutError' || (typeof code === 'string' && UNREACHABLE.has(code));
}
