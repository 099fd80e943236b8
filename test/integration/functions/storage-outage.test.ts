import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { healthFunction } from '../../../src/functions/health.js';
import { triggerFunction } from '../../../src/functions/trigger.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import type { StorageFaultProxy } from '../../support/storage-fault-proxy.js';
import { startStorageFaultProxy } from '../../support/storage-fault-proxy.js';

/**
 * Issue 13.3: with storage unreachable, HTTP routes answer 503 with Retry-After, promptly (a 500 after
 * the SDK's long retries before), and the health check says so without hanging.
 */
describe('a storage outage', () => {
  let t: TestStorage;
  let proxy: StorageFaultProxy;
  let operator: string;

  beforeAll(async () => {
    t = await createTestStorage();
    operator = await bearerFor(t, 'operator');
    await t.storage.schemas.importSchemas([testSchema({ id: 'disk' })]);
    proxy = await startStorageFaultProxy(inject('azuriteConnectionString'), 'TableEndpoint');
  });
  afterAll(async () => {
    await proxy.close();
    await t.cleanup();
  });

  /** The app, its tables behind the proxy. */
  const app = () =>
    testServices({
      ...t,
      settings: { ...t.settings, connection: { kind: 'connection-string', connectionString: proxy.connectionString } },
    });

  it('answers Trigger with 503 and Retry-After, and a JSON error, while tables cannot be reached', async () => {
    const services = app();
    proxy.rule = () => 'reset';
    const down = await callHttp(triggerFunction(services), {
      url: 'http://x/api/Trigger?id=disk',
      headers: { authorization: operator },
    });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('10');
    expect(down.json).toEqual({ error: 'storage is unavailable right now; try again later' });

    proxy.rule = () => 'pass';
    const up = await callHttp(triggerFunction(services), {
      url: 'http://x/api/Trigger?id=disk',
      headers: { authorization: operator },
    });
    expect(up.status).toBe(202);
  });

  it('answers the health check with 503 naming the service that does not answer, even when it hangs', async () => {
    const services = app();
    // a black hole: the table endpoint takes requests and never answers
    proxy.rule = () => ({ delayMs: 60_000 });
    const health = await callHttp(healthFunction(services), { url: 'http://x/api/healthz' });
    expect(health.status).toBe(503);
    expect(health.json).toEqual({ status: 'degraded', storage: { table: false, queue: true, blob: true } });
    proxy.rule = () => 'pass';
  });
});
