import { describe, expect, it, vi } from 'vitest';
import { createStorageClients } from '../../../src/storage/clients.js';

describe('storage clients', () => {
  it('addresses each service by its URI when using an identity (no key anywhere)', () => {
    const clients = createStorageClients({
      kind: 'identity',
      tableServiceUri: 'https://acct.table.core.windows.net',
      queueServiceUri: 'https://acct.queue.core.windows.net',
      blobServiceUri: 'https://acct.blob.core.windows.net',
      clientId: null,
    });
    expect(clients.queue('cloudo-jobs-runbook').url).toBe('https://acct.queue.core.windows.net/cloudo-jobs-runbook');
    expect(clients.container('execution-logs').url).toBe('https://acct.blob.core.windows.net/execution-logs');
    expect(clients.table('Executions').url).toBe('https://acct.table.core.windows.net');
    expect(clients.table('Executions').tableName).toBe('Executions');
  });

  it('uses the endpoints of a connection string', () => {
    const clients = createStorageClients({
      kind: 'connection-string',
      connectionString:
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;QueueEndpoint=http://127.0.0.1:1234/devstoreaccount1;BlobEndpoint=http://127.0.0.1:1235/devstoreaccount1;TableEndpoint=http://127.0.0.1:1236/devstoreaccount1',
    });
    expect(clients.queue('q').url).toBe('http://127.0.0.1:1234/devstoreaccount1/q');
    expect(clients.table('T').url).toBe('http://127.0.0.1:1236/devstoreaccount1');
  });
});

describe('the identity-based credential', () => {
  it('loads @azure/identity on the first token asked for, once, with the managed identity named', async () => {
    vi.resetModules();
    const built: unknown[] = [];
    vi.doMock('@azure/identity', () => ({
      DefaultAzureCredential: class {
        constructor(options: unknown) {
          built.push(options);
        }
        async getToken(scopes: string | string[]) {
          return { token: `token for ${String(scopes)}`, expiresOnTimestamp: 0 };
        }
      },
    }));
    const { lazyDefaultCredential } = await import('../../../src/storage/clients.js');
    const credential = lazyDefaultCredential('client-1');
    expect(built).toEqual([]);
    expect(await credential.getToken('https://storage.azure.com/.default')).toEqual({
      token: 'token for https://storage.azure.com/.default',
      expiresOnTimestamp: 0,
    });
    await credential.getToken('https://storage.azure.com/.default');
    expect(built).toEqual([{ managedIdentityClientId: 'client-1' }]);
    vi.doUnmock('@azure/identity');
  });
});
