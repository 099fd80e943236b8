import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { StorageSettings } from '../../src/core/storage-settings.js';
import type { Storage } from '../../src/storage/index.js';
import { createStorage } from '../../src/storage/index.js';

export interface TestStorage {
  readonly settings: StorageSettings;
  readonly storage: Storage;
  /** Environment that points a worker or the app at this namespace. */
  readonly env: Record<string, string>;
  /** Deletes every table, queue and container of the namespace. */
  cleanup(): Promise<void>;
}

/** Fresh, isolated storage on the shared Azurite: its own namespace, its own tables and queues. */
export async function createTestStorage(): Promise<TestStorage> {
  const connectionString = inject('azuriteConnectionString');
  const namespace = `t${randomBytes(4).toString('hex')}`;
  const settings: StorageSettings = { connection: { kind: 'connection-string', connectionString }, namespace };
  const storage = createStorage(settings);
  await storage.ensureResources();
  return {
    settings,
    storage,
    env: { AzureWebJobsStorage: connectionString, CLOUDO_STORAGE_NAMESPACE: namespace },
    async cleanup() {
      const { clients, names } = storage;
      await Promise.allSettled([
        clients.table(names.schemasTable).deleteTable(),
        clients.table(names.schedulesTable).deleteTable(),
        clients.table(names.executionsTable).deleteTable(),
        clients.table(names.tokensTable).deleteTable(),
        clients.table(names.auditTable).deleteTable(),
        clients.table(names.alertDeliveriesTable).deleteTable(),
        clients.table(names.runLocksTable).deleteTable(),
        clients.table(names.workersTable).deleteTable(),
        clients.table(names.notificationsTable).deleteTable(),
        clients.table(names.pagesTable).deleteTable(),
        clients.table(names.pendingApprovalsTable).deleteTable(),
        clients.container(names.alertPayloadsContainer).deleteIfExists(),
        clients.container(names.logsContainer).deleteIfExists(),
        clients.container(names.runbookSourcesContainer).deleteIfExists(),
        clients.container(names.runDigestsContainer).deleteIfExists(),
      ]);
      const queues = await clients.listQueues(`${namespace}-`);
      await Promise.allSettled(queues.map((q) => clients.queue(q).deleteIfExists()));
    },
  };
}
