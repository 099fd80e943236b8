import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { DefaultAzureCredential } from '@azure/identity';
import type { ContainerClient } from '@azure/storage-blob';
import { BlobServiceClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import { QueueServiceClient } from '@azure/storage-queue';
import type { StorageConnection } from '../core/settings.js';

/** The one place that turns storage settings into SDK clients. */
export interface StorageClients {
  table(name: string): TableClient;
  queue(name: string): QueueClient;
  container(name: string): ContainerClient;
  /** Names of the queues that start with `prefix`. */
  listQueues(prefix: string): Promise<string[]>;
}

async function listQueueNames(service: QueueServiceClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const queue of service.listQueues({ prefix })) names.push(queue.name);
  return names;
}

export function createStorageClients(connection: StorageConnection): StorageClients {
  if (connection.kind === 'connection-string') {
    const { connectionString } = connection;
    const queues = QueueServiceClient.fromConnectionString(connectionString);
    const blobs = BlobServiceClient.fromConnectionString(connectionString);
    // Azurite speaks plain http; the tables SDK refuses that unless told
    const allowInsecureConnection =
      /UseDevelopmentStorage=true/i.test(connectionString) ||
      /(^|;)\s*(TableEndpoint|DefaultEndpointsProtocol)=http(:|;|$)/i.test(connectionString);
    return {
      table: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection }),
      queue: (name) => queues.getQueueClient(name),
      container: (name) => blobs.getContainerClient(name),
      listQueues: (prefix) => listQueueNames(queues, prefix),
    };
  }
  const credential: TokenCredential = new DefaultAzureCredential(
    connection.clientId ? { managedIdentityClientId: connection.clientId } : {},
  );
  const queues = new QueueServiceClient(connection.queueServiceUri, credential);
  const blobs = new BlobServiceClient(connection.blobServiceUri, credential);
  return {
    table: (name) => new TableClient(connection.tableServiceUri, name, credential),
    queue: (name) => queues.getQueueClient(name),
    container: (name) => blobs.getContainerClient(name),
    listQueues: (prefix) => listQueueNames(queues, prefix),
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
