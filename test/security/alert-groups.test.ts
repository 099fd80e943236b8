import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { triggerFunction } from '../../src/functions/trigger.js';
import { bearerFor, callHttp, testServices } from '../support/functions.js';
import { testSchema } from '../support/schemas.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

/** An Alertmanager group of `count` firing alerts, each its own alert, padded so the body is large. */
function group(count: number, padding = 2000): string {
  const alerts = Array.from({ length: count }, (_, i) => ({
    status: 'firing',
    labels: { alertname: 'DiskFull', instance: `node-${i}`, severity: 'warning' },
    annotations: { description: 'x'.repeat(padding) },
    startsAt: '2026-12-01T10:00:00Z',
    fingerprint: `f${i}`,
  }));
  return JSON.stringify({ version: '4', status: 'firing', receiver: 'cloudo', groupKey: 'g', alerts });
}

/** One request's payload is stored once, however many runs it starts; a request may carry only so many alerts. */
describe('alert groups', () => {
  let t: TestStorage;
  let trigger: ReturnType<typeof triggerFunction>;
  let operator: string;

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([testSchema({ id: 'DiskFull', dedupeWindowMinutes: 0 })]);
    trigger = triggerFunction(testServices(t));
    operator = await bearerFor(t, 'operator');
  });
  afterAll(() => t.cleanup());

  const post = (body: string) =>
    callHttp(trigger, {
      method: 'POST',
      url: 'http://localhost/api/Trigger',
      headers: { authorization: operator, 'content-type': 'application/json' },
      body: { string: body },
    });
  const storedBytes = async () => {
    let total = 0;
    for await (const blob of t.storage.clients.container(t.storage.names.alertPayloadsContainer).listBlobsFlat()) {
      total += blob.properties.contentLength ?? 0;
    }
    return total;
  };

  it('stores the payload of a 40-alert group once, and each run still reads it whole', async () => {
    const body = group(40);
    const res = await post(body);
    expect(res.status).toBe(202);
    const runs = (res.json as { runs: { exec_id: string; status: string }[] }).runs;
    expect(runs.filter((r) => r.status === 'started')).toHaveLength(40);
    // before: 40 copies of an ~85 KB body; now one copy and 40 small pointers
    expect(await storedBytes()).toBeLessThan(Buffer.byteLength(body) * 1.5);
    const last = await t.storage.alertPayloads.load(runs[39]?.exec_id ?? '');
    expect(last?.payload).toEqual(JSON.parse(body));
    expect(last?.alert.labels).toMatchObject({ instance: 'node-39' });
  });

  it('refuses a request of more alerts than the cap with 413 naming it, and writes nothing', async () => {
    const runsBefore = (await t.storage.executions.list({ limit: 200 })).executions.length;
    const bytesBefore = await storedBytes();
    const res = await post(group(51, 10));
    expect(res.status).toBe(413);
    expect(res.json).toEqual({
      error: 'this request carries 51 alerts; at most 50 are accepted per request (CLOUDO_MAX_ALERTS_PER_REQUEST)',
    });
    expect((await t.storage.executions.list({ limit: 200 })).executions).toHaveLength(runsBefore);
    expect(await storedBytes()).toBe(bytesBefore);
  });
});
