import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { listExecutionsFunction } from '../../../src/functions/executions.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { seededRun } from '../../support/seeded-runs.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const VM_PROD = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-Prod-1';
const VM_TEST = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-test-2';
const alert = (source: Execution['trigger']['source']) => ({ source, actor: null, team: null, principal: null });

/** Seven runs over three days, oldest first; the boundaries of 2026-05-02 fall between r1 and r2. */
const RUNS = [
  seededRun('2026-05-01T08:00:00Z', 'succeeded', { runbook: 'scripts/restart-nginx.sh' }),
  seededRun('2026-05-01T23:59:59.999Z', 'failed'),
  seededRun('2026-05-02T00:00:00Z', 'succeeded', {
    schemaId: 'backup',
    worker: 'Aks',
    trigger: alert('alert'),
    alertRule: 'HighCpuAlert',
    resourceId: VM_PROD,
  }),
  seededRun('2026-05-02T12:00:00Z', 'failed', {
    schemaId: 'backup',
    worker: 'Aks',
    trigger: alert('alert'),
    alertRule: 'DiskFull',
    resourceId: VM_TEST,
  }),
  seededRun('2026-05-03T06:00:00Z', 'succeeded', {
    schemaId: 'cleanup',
    schemaName: 'Nightly Cleanup',
    trigger: alert('cli'),
  }),
  seededRun('2026-05-03T07:00:00Z', 'running', { trigger: alert('console') }),
  seededRun('2026-05-03T08:00:00Z', 'accepted', { trigger: alert('rerun') }),
];
const id = (i: number) => RUNS[i]?.execId ?? '';
/** Exec ids, newest first, of the runs at these positions. */
const newestFirst = (...positions: number[]) => positions.sort((a, b) => b - a).map(id);

describe('GET /api/executions search', () => {
  let t: TestStorage;
  let viewer: string;
  let list: ReturnType<typeof listExecutionsFunction>;

  beforeAll(async () => {
    t = await createTestStorage();
    viewer = await bearerFor(t, 'viewer');
    list = listExecutionsFunction(testServices(t));
    for (const run of RUNS) await t.storage.executions.create(run);
  });
  afterAll(() => t.cleanup());

  const search = async (query: Record<string, string>) => {
    const res = await callHttp(list, {
      url: 'http://localhost/api/executions',
      query,
      headers: { authorization: viewer },
    });
    const json = res.json as { executions: { exec_id: string }[]; continuation: string | null; scanned_rows: number };
    return { status: res.status, json, ids: json.executions?.map((e) => e.exec_id) };
  };

  it('lists every run newest first without filters', async () => {
    expect((await search({})).ids).toEqual(newestFirst(0, 1, 2, 3, 4, 5, 6));
  });

  it.each([
    ['status', { status: 'failed' }, [1, 3]],
    ['schema', { schema: 'backup' }, [2, 3]],
    ['worker', { worker: 'Aks' }, [2, 3]],
    ['trigger alert', { trigger: 'alert' }, [2, 3]],
    ['trigger http (curl, CLI and console alike)', { trigger: 'http' }, [0, 1, 4, 5]],
    ['trigger schedule (no run has it yet)', { trigger: 'schedule' }, []],
    ['trigger rerun', { trigger: 'rerun' }, [6]],
    ['from, inclusive', { from: '2026-05-02T00:00:00Z' }, [2, 3, 4, 5, 6]],
    ['to, inclusive to the millisecond', { to: '2026-05-01T23:59:59.999Z' }, [0, 1]],
    ['a day given as dates and an offset', { from: '2026-05-02', to: '2026-05-02T14:00:00+02:00' }, [2, 3]],
    ['a range inside one day', { from: '2026-05-03T06:30:00Z', to: '2026-05-03T07:30:00Z' }, [5]],
  ])('filters by %s', async (_name, query, expected) => {
    const res = await search(query);
    expect(res.status).toBe(200);
    expect(res.ids).toEqual(newestFirst(...expected));
  });

  it.each([
    ['status and a time range', { status: 'failed', from: '2026-05-02' }, [3]],
    ['schema, trigger and to', { schema: 'disk', trigger: 'http', to: '2026-05-02' }, [0, 1]],
    ['text and status', { q: 'vm-prod', status: 'succeeded' }, [2]],
    ['text and worker', { q: 'backup', worker: 'Runbook' }, []],
    [
      'everything at once',
      {
        status: 'failed',
        schema: 'backup',
        worker: 'Aks',
        trigger: 'alert',
        from: '2026-05-02',
        to: '2026-05-03',
        q: 'disk',
      },
      [3],
    ],
  ])('combines %s', async (_name, query, expected) => {
    expect((await search(query)).ids).toEqual(newestFirst(...expected));
  });

  it.each([
    ['the schema id', 'cleanup', [4]],
    ['the schema name', 'NIGHTLY', [4]],
    ['the runbook', 'Nginx', [0]],
    ['the alert rule', 'highcpu', [2]],
    ['the resource id', 'VM-PROD', [2]],
    ['the execution id', id(5).slice(-12).toUpperCase(), [5]],
  ])('finds free text in %s, whatever its case', async (_name, q, expected) => {
    expect((await search({ q })).ids).toEqual(newestFirst(...expected));
  });

  it('pages across days with a continuation, each run once', async () => {
    const seen: string[] = [];
    let continuation: string | null = null;
    let pages = 0;
    do {
      const res = await search({ limit: '2', ...(continuation ? { continuation } : {}) });
      expect(res.ids.length).toBeLessThanOrEqual(2);
      seen.push(...res.ids);
      continuation = res.json.continuation;
      pages += 1;
    } while (continuation && pages < 10);
    expect(seen).toEqual(newestFirst(0, 1, 2, 3, 4, 5, 6));
    expect(pages).toBe(4);
  });

  it('pages a filtered time range across days', async () => {
    const range = { from: '2026-05-01T12:00:00Z', to: '2026-05-03T06:30:00Z', limit: '1' };
    const seen: string[] = [];
    let continuation: string | null = null;
    do {
      const res = await search({ ...range, ...(continuation ? { continuation } : {}) });
      seen.push(...res.ids);
      continuation = res.json.continuation;
    } while (continuation && seen.length < 10);
    expect(seen).toEqual(newestFirst(1, 2, 3, 4));
  });

  it('reads at most the scan budget of rows for free text, and goes on from where it stopped', async () => {
    const found: string[] = [];
    const scanned: number[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await t.storage.executions.list({ text: 'backup', limit: 50, maxScannedRows: 2, continuationToken });
      found.push(...page.executions.map((e) => e.execId));
      scanned.push(page.scannedRows);
      continuationToken = page.continuationToken ?? undefined;
    } while (continuationToken);
    expect(found).toEqual(newestFirst(2, 3));
    // 7 rows, 2 a page; the first page (r6, r5) found nothing but still said where to go on
    expect(scanned).toEqual([2, 2, 2, 1]);
  });

  it('says how many rows a page read', async () => {
    expect((await search({ q: 'nightly' })).json.scanned_rows).toBe(7);
    expect((await search({ status: 'failed' })).json.scanned_rows).toBe(2);
  });

  it.each([
    [{ from: 'yesterday' }, /^from: must be an ISO time/],
    [{ to: '2026-13-45' }, /^to: must be an ISO time/],
    [{ to: '2026-05-01T25:00:00Z' }, /^to: must be an ISO time/],
    [{ from: '2026-05-03', to: '2026-05-02' }, /^from: must not be after to/],
    [{ trigger: 'cron' }, /^trigger: Invalid option/],
    [{ worker: 'a b' }, /^worker: must be 1-30 letters/],
    [{ q: 'x'.repeat(201) }, /^q: Too big/],
    [{ status: 'exploded' }, /^status: Invalid option/],
    [{ continuation: 'garbage' }, /^continuation: not a token from a previous page/],
    [{ continuation: Buffer.from('{"p":"1\' or 1","r":"x"}').toString('base64url') }, /^continuation: not a token/],
  ])('answers 400 naming the parameter for %j', async (query, message) => {
    const res = await search(query);
    expect(res.status).toBe(400);
    expect((res.json as unknown as { error: string }).error).toMatch(message);
  });
});
