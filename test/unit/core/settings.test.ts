import { describe, expect, it } from 'vitest';
import { loadAppSettings, loadStorageSettings, loadWorkerSettings, SettingsError } from '../../../src/core/settings.js';

const CONN = 'DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5;QueueEndpoint=http://127.0.0.1:1/a';

describe('settings', () => {
  it('reads a connection string', () => {
    expect(loadStorageSettings({ AzureWebJobsStorage: CONN })).toEqual({
      connection: { kind: 'connection-string', connectionString: CONN },
      namespace: '',
    });
  });

  it('reads identity-based settings the way Functions names them', () => {
    expect(
      loadStorageSettings({ AzureWebJobsStorage__accountName: 'acct', AzureWebJobsStorage__clientId: 'cid' })
        .connection,
    ).toEqual({
      kind: 'identity',
      tableServiceUri: 'https://acct.table.core.windows.net',
      queueServiceUri: 'https://acct.queue.core.windows.net',
      blobServiceUri: 'https://acct.blob.core.windows.net',
      clientId: 'cid',
    });
  });

  it('names what is missing when only some service URIs are set', () => {
    expect(() => loadStorageSettings({ AzureWebJobsStorage__queueServiceUri: 'https://q.example' })).toThrow(
      /AzureWebJobsStorage__tableServiceUri, AzureWebJobsStorage__blobServiceUri/,
    );
  });

  it('stops with the variable to set when storage is not configured', () => {
    expect(() => loadAppSettings({})).toThrow(SettingsError);
    expect(() => loadAppSettings({})).toThrow(/AzureWebJobsStorage is not set/);
  });

  it('refuses a connection string without a key', () => {
    expect(() => loadStorageSettings({ AzureWebJobsStorage: 'AccountName=a' })).toThrow(/lacks AccountKey/);
  });

  it('gives workers their defaults and collects every problem at once', () => {
    const ok = loadWorkerSettings({ AzureWebJobsStorage: CONN, CLOUDO_WORKER: 'Runbook', RUNBOOKS_DIR: '/rb' });
    expect(ok).toMatchObject({ worker: 'Runbook', concurrency: 4, pollMaxIntervalMs: 250, killGraceMs: 5000 });
    try {
      loadWorkerSettings({ CLOUDO_CONCURRENCY: 'lots', CLOUDO_POLL_MAX_INTERVAL_MS: '0' });
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(/AzureWebJobsStorage is not set/);
      expect(message).toMatch(/CLOUDO_WORKER is missing: set it to the worker capability/);
      expect(message).toMatch(/RUNBOOKS_DIR is missing/);
      expect(message).toMatch(/CLOUDO_CONCURRENCY must be a number/);
      expect(message).toMatch(/CLOUDO_POLL_MAX_INTERVAL_MS must be at least 10/);
    }
  });

  it('refuses a namespace that would make invalid resource names', () => {
    expect(() => loadStorageSettings({ AzureWebJobsStorage: CONN, CLOUDO_STORAGE_NAMESPACE: 'Prod-1' })).toThrow(
      /CLOUDO_STORAGE_NAMESPACE="Prod-1" is invalid/,
    );
  });
});
