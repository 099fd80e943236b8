import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionKeys } from '../../../src/core/execution.js';
import { planRun, planUnmatched } from '../../../src/core/run-plan.js';
import { ConcurrentUpdateError } from '../../../src/storage/index.js';
import { readRunSummariesOf } from '../../../src/storage/run-summaries.js';
import { testAlert } from '../../support/alerts.js';
import { asRun } from '../../support/runs.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import { seededRun } from '../../support/seeded-runs.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const schema = testSchema({ id: 'hello' });
const trigger = HTTP_TRIGGER;

describe('ExecutionRepository', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  it('reads back what it wrote, with nulls kept as nulls', async () => {
    const { execution } = planRun(schema, trigger);
    await t.storage.executions.create(execution);
    const read = await t.storage.executions.get(execution.execId);
    expect(read?.execution).toEqual(execution);
  });

  it('reads an unmatched alert row written with the old placeholder run fields as one without them', async () => {
    const unmatched = planUnmatched(testAlert({ alertRule: 'legacy' }), {
      source: 'alert',
      actor: null,
      team: null,
      principal: null,
    });
    // as rows were written before the contract gave unmatched alerts no run fields
    const { partitionKey, rowKey } = executionKeys(unmatched.execId);
    await t.storage.clients.table(t.storage.names.executionsTable).createEntity({
      partitionKey,
      rowKey,
      execId: unmatched.execId,
      schemaId: '',
      schemaPartition: '',
      schemaName: '(no schema)',
      runbook: '',
      worker: '',
      runArgs: '',
      oncall: false,
      timeoutMs: 1,
      triggerSource: 'alert',
      status: 'unmatched',
      requestedAt: unmatched.requestedAt,
      finishedAt: unmatched.finishedAt ?? '',
      error: unmatched.error ?? '',
      alertRule: 'legacy',
      monitorCondition: 'Fired',
      resourceId: unmatched.resourceId ?? '',
      aksCredentials: false,
      deliveries: 1,
    });
    expect((await t.storage.executions.get(unmatched.execId))?.execution).toEqual(unmatched);
  });

  it('reads back a gated run with its policy and decisions', async () => {
    const { execution } = planRun(testSchema({ id: 'gated', requireApproval: true, approvers: ['role:ops'] }), trigger);
    const decided = {
      ...execution,
      approvals: [
        { by: 'bob', principal: 'user:bob', at: new Date().toISOString(), decision: 'approve' as const, reason: 'ok' },
      ],
    };
    await t.storage.executions.create(decided);
    expect((await t.storage.executions.get(execution.execId))?.execution).toEqual(decided);
  });

  describe('the index of runs waiting for approval', () => {
    const gated = testSchema({ id: 'gated-index', requireApproval: true });
    const index = () => t.storage.clients.table(t.storage.names.pendingApprovalsTable);
    const pendingIds = async () =>
      (await t.storage.executions.listPending()).filter((e) => e.schemaId === gated.id).map((e) => e.execId);

    it('lists a waiting run, newest first, and drops it once the run is decided', async () => {
      const older = planRun(gated, trigger, new Date(Date.now() - 1000)).execution;
      const newer = planRun(gated, trigger).execution;
      for (const run of [older, newer]) await t.storage.executions.create(run);
      expect(await pendingIds()).toEqual([newer.execId, older.execId]);
      const current = await t.storage.executions.get(newer.execId);
      if (!current) throw new Error('missing');
      await t.storage.executions.transition(current, { ...asRun(current.execution), status: 'accepted' });
      expect(await pendingIds()).toEqual([older.execId]);
      await expect(index().getEntity('pending', newer.execId)).rejects.toMatchObject({ statusCode: 404 });
    });

    it('drops an index row whose run moved on, or whose run was never written, but not a run being written', async () => {
      const moved = planRun(testSchema({ id: 'plain-index' }), trigger).execution;
      await t.storage.executions.create(moved);
      const orphan = planRun(gated, trigger, new Date(Date.now() - 10 * 60_000)).execution.execId;
      const young = planRun(gated, trigger).execution.execId;
      for (const id of [moved.execId, orphan, young])
        await index().upsertEntity({ partitionKey: 'pending', rowKey: id });
      const listed = await pendingIds();
      for (const id of [moved.execId, orphan, young]) expect(listed).not.toContain(id);
      await expect(index().getEntity('pending', moved.execId)).rejects.toMatchObject({ statusCode: 404 });
      await expect(index().getEntity('pending', orphan)).rejects.toMatchObject({ statusCode: 404 });
      // its create may be in flight: the index row was written first on purpose
      expect((await index().getEntity('pending', young)).rowKey).toBe(young);
    });
  });

  it('lets exactly one of two concurrent claims win', async () => {
    const { execution } = planRun(schema, trigger);
    await t.storage.executions.create(execution);
    const current = await t.storage.executions.get(execution.execId);
    if (!current) throw new Error('missing');
    const running = { ...execution, status: 'running' as const, startedAt: new Date().toISOString() };
    const results = await Promise.allSettled([
      t.storage.executions.transition(current, running),
      t.storage.executions.transition(current, running),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrentUpdateError);
  });

  it('refuses a transition the state machine forbids', async () => {
    const { execution } = planRun(schema, trigger);
    await t.storage.executions.create(execution);
    const current = await t.storage.executions.get(execution.execId);
    if (!current) throw new Error('missing');
    await expect(t.storage.executions.transition(current, { ...execution, status: 'succeeded' })).rejects.toThrow(
      'cannot go from accepted to succeeded',
    );
  });

  it('lists newest first, filters by status, and pages with a continuation token', async () => {
    const base = Date.parse('2026-03-01T10:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      // spread over two days so paging crosses a partition
      const plan = planRun({ ...schema, id: 'paged' }, trigger, new Date(base + i * 12 * 3600_000));
      await t.storage.executions.create(i === 2 ? { ...plan.execution, status: 'accepted' } : plan.execution);
      ids.push(plan.execution.execId);
    }
    const first = await t.storage.executions.list({ schemaId: 'paged', limit: 3 });
    expect(first.executions.map((e) => e.execId)).toEqual([ids[4], ids[3], ids[2]]);
    expect(first.continuationToken).not.toBeNull();
    const second = await t.storage.executions.list({
      schemaId: 'paged',
      limit: 3,
      continuationToken: first.continuationToken ?? undefined,
    });
    expect(second.executions.map((e) => e.execId)).toEqual([ids[1], ids[0]]);
    const none = await t.storage.executions.list({ schemaId: 'paged', status: 'failed', limit: 10 });
    expect(none.executions).toEqual([]);
  });

  it('reads the summaries of many known runs by key, 14 to a request, leaving out runs no longer kept', async () => {
    const base = Date.parse('2026-04-01T10:00:00Z');
    const runs = Array.from({ length: 20 }, (_, i) =>
      seededRun(base + (i < 17 ? i : 36 * 60 + i) * 60_000, i % 2 ? 'failed' : 'succeeded', { schemaId: 'many' }),
    );
    for (const run of runs) await t.storage.executions.create(run);
    const gone = seededRun(base, 'succeeded').execId;
    const table = t.storage.clients.table(t.storage.names.executionsTable);
    let requests = 0;
    const counted = new Proxy(table, {
      get: (target, key) =>
        key === 'listEntities'
          ? (...args: Parameters<typeof table.listEntities>) => {
              requests++;
              return target.listEntities(...args);
            }
          : Reflect.get(target, key),
    });
    const found = await readRunSummariesOf(counted, [...runs.map((r) => r.execId), gone, runs[0]?.execId ?? '']);
    expect(found.size).toBe(20);
    expect(found.has(gone)).toBe(false);
    for (const run of runs) expect(found.get(run.execId)).toMatchObject({ status: run.status, schemaId: 'many' });
    // 17 runs on the first day (14 + 3), 3 on the next
    expect(requests).toBe(3);
    expect(await t.storage.executions.summariesOf([])).toEqual(new Map());
  });
});
