import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planUnmatched } from '../../../src/core/run-plan.js';
import { statsFunction } from '../../../src/functions/stats.js';
import { testAlert } from '../../support/alerts.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { HTTP_TRIGGER } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import { seededRun } from '../../support/seeded-runs.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const VM1 = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1';
const VM2 = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-2';
const at = (hhmm: string) => `2026-05-01T${hhmm}:00Z`;
/** Six hours of 2026-05-01, 00:00 to 05:59:59.999 (hour buckets). */
const SIX_HOURS = { from: '2026-05-01T00:00:00Z', to: '2026-05-01T05:59:59.999Z' };

const RUNS = [
  // disk: ten successes of 100..1000 ms in the first hour, two failures on vm-1 in the second
  ...Array.from({ length: 10 }, (_, i) =>
    seededRun(at(`00:${String(i * 5).padStart(2, '0')}`), 'succeeded', { durationMs: (i + 1) * 100 }),
  ),
  seededRun(at('01:30'), 'failed', { durationMs: 5000, resourceId: VM1 }),
  seededRun(at('01:31'), 'failed', { durationMs: 6000, resourceId: VM1 }),
  // backup: a timeout on vm-2, then a success
  seededRun(at('02:00'), 'timed_out', { schemaId: 'backup', durationMs: 60_000, resourceId: VM2 }),
  seededRun(at('03:00'), 'succeeded', { schemaId: 'backup', durationMs: 200 }),
  // just outside the six hours, on either side
  seededRun('2026-04-30T23:59:59.999Z', 'failed', { durationMs: 1 }),
  seededRun('2026-05-01T06:00:00Z', 'failed', { durationMs: 1 }),
];

interface StatsBody {
  from: string;
  to: string;
  bucket: string;
  truncated: boolean;
  runs: number;
  computed_at: string;
  by_status: Record<string, number>;
  buckets: { start: string; total: number; by_status: Record<string, number> }[];
  schemas: Record<string, unknown>[];
  top_failing_schemas: unknown[];
  top_failing_resources: unknown[];
}

describe('GET /api/stats', () => {
  let t: TestStorage;
  let viewer: string;
  let stats: ReturnType<typeof statsFunction>;

  beforeAll(async () => {
    t = await createTestStorage();
    viewer = await bearerFor(t, 'viewer');
    stats = statsFunction(testServices(t));
    for (const run of RUNS) await t.storage.executions.create(run);
  });
  afterAll(() => t.cleanup());

  const get = async (query: Record<string, string>) => {
    const res = await callHttp(stats, { url: 'http://localhost/api/stats', query, headers: { authorization: viewer } });
    return { status: res.status, body: res.json as StatsBody, error: (res.json as { error?: string }).error };
  };

  it('counts runs by status per hour over a range up to 48 h', async () => {
    const { status, body } = await get(SIX_HOURS);
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: '2026-05-01T00:00:00.000Z', bucket: 'hour', truncated: false, runs: 14 });
    expect(body.by_status).toEqual({ succeeded: 11, failed: 2, timed_out: 1 });
    expect(body.buckets.map((b) => [b.start.slice(11, 16), b.total, b.by_status])).toEqual([
      ['00:00', 10, { succeeded: 10 }],
      ['01:00', 2, { failed: 2 }],
      ['02:00', 1, { timed_out: 1 }],
      ['03:00', 1, { succeeded: 1 }],
      ['04:00', 0, {}],
      ['05:00', 0, {}],
    ]);
  });

  it('gives success rate and p50/p95 duration per schema, and the top failing schemas and resources', async () => {
    const { body } = await get(SIX_HOURS);
    expect(body.schemas).toEqual([
      {
        schema_id: 'disk',
        runs: 12,
        succeeded: 10,
        failures: 2,
        success_rate: 10 / 12,
        p50_duration_ms: 600,
        p95_duration_ms: 6000,
      },
      {
        schema_id: 'backup',
        runs: 2,
        succeeded: 1,
        failures: 1,
        success_rate: 0.5,
        p50_duration_ms: 200,
        p95_duration_ms: 60_000,
      },
    ]);
    expect(body.top_failing_schemas).toEqual([
      { schema_id: 'disk', failures: 2, runs: 12 },
      { schema_id: 'backup', failures: 1, runs: 2 },
    ]);
    expect(body.top_failing_resources).toEqual([
      { resource_id: VM1, failures: 2, schema_ids: ['disk'] },
      { resource_id: VM2, failures: 1, schema_ids: ['backup'] },
    ]);
  });

  it('counts an alert no schema handles by its status, in no schema’s figures', async () => {
    const day = new Date('2026-06-10T10:00:00Z');
    await t.storage.executions.create(planUnmatched(testAlert(), HTTP_TRIGGER, day));
    await t.storage.executions.create(seededRun('2026-06-10T11:00:00Z', 'succeeded', { durationMs: 10 }));
    // a settled day: read once and kept as its digest, then from the digest
    for (const round of ['scanned', 'from its digest']) {
      const { status, body } = await get({ from: '2026-06-10T00:00:00Z', to: '2026-06-10T23:59:59.999Z' });
      expect(status, `${round}: ${JSON.stringify(body)}`).toBe(200);
      expect(body.by_status, round).toEqual({ unmatched: 1, succeeded: 1 });
      expect(
        body.schemas.map((s) => s.schema_id),
        round,
      ).toEqual(['disk']);
    }
  });

  it('narrows to one schema', async () => {
    const { body } = await get({ ...SIX_HOURS, schema: 'backup' });
    expect(body.runs).toBe(2);
    expect(body.schemas.map((s) => s.schema_id)).toEqual(['backup']);
  });

  it('counts by day beyond 48 h', async () => {
    const { body } = await get({ from: '2026-04-28T00:00:00Z', to: '2026-05-04T23:59:59Z' });
    expect(body.bucket).toBe('day');
    expect(body.buckets.map((b) => [b.start.slice(0, 10), b.total])).toEqual([
      ['2026-04-28', 0],
      ['2026-04-29', 0],
      ['2026-04-30', 1],
      ['2026-05-01', 15],
      ['2026-05-02', 0],
      ['2026-05-03', 0],
      ['2026-05-04', 0],
    ]);
  });

  it('reuses an answer for the same question within its cache time', async () => {
    const range = { from: '2026-05-01T03:00:00Z', to: '2026-05-01T04:00:00Z' };
    const first = await get(range);
    await t.storage.executions.create(seededRun(at('03:30'), 'failed'));
    const second = await get(range);
    expect(second.body.runs).toBe(first.body.runs);
    expect(second.body.computed_at).toBe(first.body.computed_at);
  });

  it('stops at its row cap and says the answer is truncated', async () => {
    const range = { fromMs: Date.parse(SIX_HOURS.from), toMs: Date.parse(SIX_HOURS.to) };
    const capped = await t.storage.executions.listSummaries({ ...range, maxRows: 3 });
    expect(capped.truncated).toBe(true);
    // newest first: a capped answer misses the oldest part of the range
    expect(capped.runs.map((r) => r.requestedAt)).toEqual([at('03:30'), at('03:00'), at('02:00')].map(iso));
    const whole = await t.storage.executions.listSummaries({ ...range, maxRows: 100 });
    expect(whole).toMatchObject({ truncated: false, runs: expect.any(Array) });
    expect(whole.runs).toHaveLength(15);
  });

  it.each([
    [{ from: 'now-1h' }, /^from: must be an ISO time/],
    [{ to: '2026-05-01T12:00' }, /^to: must be an ISO time/],
    [{ from: '2026-05-02', to: '2026-05-01' }, /^from: must not be after to/],
    [{ from: '2026-01-01', to: '2026-05-01' }, /^from: the range may span at most 31 days/],
    [{ schema: '../x' }, /^schema: must be/],
  ])('answers 400 naming the parameter for %j', async (query, message) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.error).toMatch(message);
  });
});

function iso(text: string): string {
  return new Date(text).toISOString();
}

describe('GET /api/stats with access control enforced', () => {
  let t: TestStorage;
  let app: SecuredApp;

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startSecuredApp(t);
    await t.storage.executions.create(seededRun(Date.now() - 60_000, 'succeeded', { durationMs: 10 }));
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('refuses an anonymous caller and answers a viewer with the last 24 h', async () => {
    const anonymous = await app.fetch('/api/stats');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: expect.any(String) });
    const res = await app.fetch('/api/stats', { headers: { authorization: await bearerFor(t, 'viewer') } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as StatsBody;
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(86_400_000);
    expect(body).toMatchObject({ bucket: 'hour', runs: 1, by_status: { succeeded: 1 } });
    expect(body.buckets).toHaveLength(25);
  });

  it('lets a viewer search runs', async () => {
    const res = await app.fetch('/api/executions?trigger=http&q=disk', {
      headers: { authorization: await bearerFor(t, 'viewer', 'searcher') },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { executions: unknown[] }).executions).toHaveLength(1);
  });
});
