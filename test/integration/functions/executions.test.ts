import type { HttpRequestInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../../src/core/execution.js';
import { executionKeys } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import type { HttpFunctionDefinition } from '../../../src/functions/definitions.js';
import {
  getExecutionFunction,
  getExecutionLogFunction,
  listExecutionsFunction,
} from '../../../src/functions/executions.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { asRun } from '../../support/runs.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const schema = testSchema({ id: 'disk' });

describe('Executions API', () => {
  let t: TestStorage;
  let ids: string[];
  let viewer: string;
  const asViewer = (definition: HttpFunctionDefinition, init: HttpRequestInit) =>
    callHttp(definition, { ...init, headers: { authorization: viewer, ...init.headers } });
  let fns: {
    list: ReturnType<typeof listExecutionsFunction>;
    get: ReturnType<typeof getExecutionFunction>;
    log: ReturnType<typeof getExecutionLogFunction>;
  };

  beforeAll(async () => {
    t = await createTestStorage();
    const services = testServices(t);
    viewer = await bearerFor(t, 'viewer');
    fns = {
      list: listExecutionsFunction(services),
      get: getExecutionFunction(services),
      log: getExecutionLogFunction(services),
    };
    ids = [];
    const base = Date.parse('2026-05-01T12:00:00Z');
    for (let i = 0; i < 4; i++) {
      const { execution } = planRun(
        { ...schema, id: i === 3 ? 'other' : 'disk' },
        HTTP_TRIGGER,
        new Date(base + i * 1000),
      );
      await t.storage.executions.create(execution);
      ids.push(execution.execId);
    }
    // finish run 1 as failed, with a log
    const row = await t.storage.executions.get(ids[1] ?? '');
    if (!row) throw new Error('seed');
    const running: Run = {
      ...asRun(row.execution),
      status: 'running',
      startedAt: '2026-05-01T12:00:02.000Z',
      workerHost: 'w1',
    };
    const etag = await t.storage.executions.transition(row, running);
    await t.storage.executions.transition(
      { execution: running, etag },
      {
        ...running,
        status: 'failed',
        finishedAt: '2026-05-01T12:00:05.500Z',
        exitCode: 2,
        error: 'exited with code 2',
        logBytes: 12,
      },
    );
    await t.storage.logs.create(ids[1] ?? '');
    await t.storage.logs.append(ids[1] ?? '', Buffer.from('line 1\n<b>2\n'));
  });
  afterAll(() => t.cleanup());

  const list = async (query: Record<string, string>) => {
    const res = await asViewer(fns.list, { url: 'http://localhost/api/executions', query });
    return res as typeof res & {
      json: { executions: { exec_id: string; status: string }[]; continuation: string | null };
    };
  };

  it('lists newest first and pages with a continuation token', async () => {
    const first = await list({ limit: '2' });
    expect(first.status).toBe(200);
    expect(first.json.executions.map((e) => e.exec_id)).toEqual([ids[3], ids[2]]);
    expect(first.json.continuation).toEqual(expect.any(String));
    const second = await list({ limit: '2', continuation: first.json.continuation ?? '' });
    expect(second.json.executions.map((e) => e.exec_id)).toEqual([ids[1], ids[0]]);
  });

  it('filters by status and by schema', async () => {
    expect((await list({ status: 'failed' })).json.executions.map((e) => e.exec_id)).toEqual([ids[1]]);
    expect((await list({ schema: 'other' })).json.executions.map((e) => e.exec_id)).toEqual([ids[3]]);
    expect((await list({ schema: 'disk', status: 'accepted' })).json.executions.map((e) => e.exec_id)).toEqual([
      ids[2],
      ids[0],
    ]);
  });

  it.each([
    [{ status: 'exploded' }, /^status: Invalid option/],
    [{ limit: '0' }, /^limit: Too small/],
    [{ limit: '1000' }, /^limit: Too big/],
    [{ schema: "x' or 1 eq 1" }, /^schema: must be/],
    [{ continuation: 'garbage' }, /^continuation: not a token from a previous page/],
  ])('answers 400 naming the parameter for %j', async (query, message) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect((res.json as unknown as { error: string }).error).toMatch(message);
  });

  it('shows one run with status, exit code, timestamps, duration and log size', async () => {
    const res = await asViewer(fns.get, { url: 'http://localhost/x', params: { execId: ids[1] ?? '' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      exec_id: ids[1],
      schema_id: 'disk',
      status: 'failed',
      exit_code: 2,
      started_at: '2026-05-01T12:00:02.000Z',
      finished_at: '2026-05-01T12:00:05.500Z',
      duration_ms: 3500,
      log_bytes: 12,
      worker_host: 'w1',
      trigger: { source: 'http', actor: null, team: null, principal: null },
      links: { log: `/api/logs/${ids[1]}` },
    });
  });

  it('answers 404 for an unknown run and 400 for something that is not a run id', async () => {
    const unknown = await asViewer(fns.get, {
      url: 'http://localhost/x',
      params: { execId: '01900000-0000-7000-8000-000000000000' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: 'no execution with id "01900000-0000-7000-8000-000000000000"' });
    const invalid = await asViewer(fns.get, { url: 'http://localhost/x', params: { execId: '../../etc' } });
    expect(invalid.status).toBe(400);
    expect((invalid.json as { error: string }).error).toMatch(/^execId: must be an execution id/);
  });

  it('answers a run whose stored row breaks its contract with 500 and says so in the log, not 400 to the caller', async () => {
    const plan = planRun(testSchema({ id: 'damaged' }), HTTP_TRIGGER);
    await t.storage.executions.create(plan.execution);
    const { partitionKey, rowKey } = executionKeys(plan.execution.execId);
    // a row written around the repository (storage is writable by whoever holds its key)
    await t.storage.clients
      .table(t.storage.names.executionsTable)
      .updateEntity({ partitionKey, rowKey, status: 'exploded' }, 'Merge');
    const res = await asViewer(fns.get, { url: 'http://localhost/x', params: { execId: plan.execution.execId } });
    expect(res.status).toBe(500);
    expect((res.json as { error: string }).error).toMatch(/^internal error/);
    expect(res.logs.join('\n')).toContain(`stored execution ${plan.execution.execId} does not match its contract`);
  });

  it('serves the log as text/plain, as written', async () => {
    const res = await asViewer(fns.log, { url: 'http://localhost/x', params: { execId: ids[1] ?? '' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe('line 1\n<b>2\n');
    const empty = await asViewer(fns.log, { url: 'http://localhost/x', params: { execId: ids[0] ?? '' } });
    expect(empty.text).toBe('');
  });
});
