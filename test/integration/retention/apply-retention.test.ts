import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertContext } from '../../../src/core/alert-context.js';
import { deliveryKey } from '../../../src/core/alert-delivery.js';
import type { AuditEntry } from '../../../src/core/audit.js';
import type { Execution, ExecutionStatus } from '../../../src/core/execution.js';
import { newUnmatchedAlert } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import type { RetentionSettings } from '../../../src/core/settings.js';
import { InvocationContext } from '../../../src/functions/azure-runtime.js';
import { housekeepingFunction } from '../../../src/functions/housekeeping.js';
import { listWorkersFunction } from '../../../src/functions/workers.js';
import { applyRetention } from '../../../src/retention/index.js';
import { testAlert } from '../../support/alerts.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { workerBeat } from '../../support/worker-beat.js';

const DAY = 86_400_000;
const NOW = new Date();
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
const RETENTION: RetentionSettings = { runDays: 90, auditDays: 365, deadWorkerMs: DAY, batchSize: 500 };

/**
 * Housekeeping purges what ClouDO recorded once it is older than its retention, a bounded batch a tick.
 * "Old" is made by writing rows and blobs with old times, never by waiting.
 */
describe('retention', () => {
  let t: TestStorage;
  beforeEach(async () => {
    t = await createTestStorage();
  });
  afterEach(() => t.cleanup());

  const schema = testSchema({ id: 'disk', concurrency: 'queue' });

  /** A run requested at `at`, recorded as `status`, with a log of one line. */
  async function run(at: Date, status: ExecutionStatus, alert: AlertContext | null = null): Promise<Execution> {
    const planned = planRun(
      schema,
      alert ? { ...HTTP_TRIGGER, source: 'alert' } : HTTP_TRIGGER,
      at,
      undefined,
      alert,
    ).execution;
    const finishedAt = status === 'running' ? null : at.toISOString();
    const execution: Execution =
      status === 'unmatched'
        ? newUnmatchedAlert({
            execId: planned.execId,
            trigger: planned.trigger,
            status,
            requestedAt: planned.requestedAt,
            finishedAt,
          })
        : { ...planned, status, finishedAt };
    await t.storage.executions.create(execution);
    await t.storage.logs.create(execution.execId);
    await t.storage.logs.append(execution.execId, Buffer.from('hello\n'));
    return execution;
  }

  /** Runs of one alert request: one payload blob they all point at, a delivery key, ledger rows and a lock. */
  async function alertRuns(at: Date, statuses: ExecutionStatus[]) {
    const requestId = await t.storage.alertPayloads.saveRequest({ data: { essentials: { alertRule: 'disk-full' } } });
    const runs: { execution: Execution; alert: AlertContext }[] = [];
    for (const [i, status] of statuses.entries()) {
      const alert = testAlert({ alertId: `/alerts/${requestId}/${i}` });
      const execution = await run(at, status, alert);
      await t.storage.alertPayloads.save(execution.execId, { alert, requestId });
      await t.storage.alertDeliveries.claim(schema.id, deliveryKey(alert), execution.execId, at, 10 * 60_000);
      await t.storage.notifications.record(execution.execId, 'slack.result', {
        status: 'sent',
        ref: '1.2',
        reason: null,
        at: at.toISOString(),
      });
      if (execution.exclusiveKey) await t.storage.runLocks.acquire(execution.exclusiveKey, execution.execId, isActive);
      runs.push({ execution, alert });
    }
    return { requestId, runs };
  }
  const isActive = async () => true;

  const rowOf = async (execId: string) => (await t.storage.executions.get(execId))?.execution ?? null;
  const requestBlobExists = (requestId: string) =>
    t.storage.clients
      .container(t.storage.names.alertPayloadsContainer)
      .getBlobClient(`requests/${requestId}.json`)
      .exists();
  const lockHolder = async (key: string) =>
    t.storage.clients
      .table(t.storage.names.runLocksTable)
      .getEntity<{ execId: string }>('lock', key)
      .then(
        (e) => e.execId,
        () => null,
      );
  const audit = (at: Date, target: string): AuditEntry => ({
    at: at.toISOString(),
    action: 'trigger',
    actorKind: 'token',
    actorId: 'tester',
    from: '127.0.0.1',
    target,
    details: {},
  });
  const auditTargets = async () => (await t.storage.audit.list({ limit: 1000 })).entries.map((e) => e.target).sort();
  const countRuns = async () => (await t.storage.executions.list({ limit: 1000 })).executions.length;

  it('purges an ended run older than the retention with its log, alert payloads, ledger, delivery key and lock', async () => {
    const old = await alertRuns(daysAgo(100), ['succeeded', 'failed']);
    const unmatched = await run(daysAgo(100), 'unmatched');

    const report = await applyRetention({ storage: t.storage, settings: RETENTION, now: NOW });

    expect(report).toMatchObject({ runs: 3 });
    for (const { execution, alert } of old.runs) {
      const { execId } = execution;
      expect(await rowOf(execId), execId).toBeNull();
      expect(await t.storage.logs.read(execId)).toBeNull();
      expect(await t.storage.alertPayloads.load(execId)).toBeNull();
      expect(await t.storage.notifications.list(execId)).toEqual([]);
      expect(await t.storage.alertDeliveries.find(schema.id, deliveryKey(alert))).toBeNull();
      expect(await lockHolder(execution.exclusiveKey ?? '')).toBeNull();
    }
    expect(await requestBlobExists(old.requestId)).toBe(false);
    expect(await rowOf(unmatched.execId)).toBeNull();
    expect(await t.storage.logs.read(unmatched.execId)).toBeNull();
  });

  it('keeps recent runs, and old runs that have not ended, with everything they point at', async () => {
    const recent = await alertRuns(daysAgo(10), ['succeeded']);
    const going = await alertRuns(daysAgo(100), ['running', 'accepted', 'pending_approval']);

    const report = await applyRetention({ storage: t.storage, settings: RETENTION, now: NOW });

    expect(report).toMatchObject({ runs: 0 });
    for (const { execution, alert } of [...recent.runs, ...going.runs]) {
      const { execId } = execution;
      expect((await rowOf(execId))?.status, execId).toBe(execution.status);
      expect((await t.storage.logs.read(execId))?.toString()).toBe('hello\n');
      expect(await t.storage.alertPayloads.load(execId)).toMatchObject({ alert, payload: { data: expect.anything() } });
      expect(await t.storage.notifications.list(execId)).toHaveLength(1);
      expect(await t.storage.alertDeliveries.find(schema.id, deliveryKey(alert))).toMatchObject({ execId });
    }
    expect((await t.storage.executions.listPending()).map((e) => e.execId)).toEqual([going.runs[2]?.execution.execId]);
  });

  it('keeps a run until the whole day it was requested on is older than the retention', async () => {
    const cutoff = new Date(daysAgo(90).toISOString().slice(0, 10)).getTime();
    const lastPurged = await run(new Date(cutoff - 1), 'succeeded');
    const firstKept = await run(new Date(cutoff), 'succeeded');

    await applyRetention({ storage: t.storage, settings: RETENTION, now: NOW });

    expect(await rowOf(lastPurged.execId)).toBeNull();
    expect(await rowOf(firstKept.execId)).not.toBeNull();
  });

  it('purges audit entries by their own retention', async () => {
    await t.storage.audit.record(audit(daysAgo(400), 'ancient'));
    await t.storage.audit.record(audit(daysAgo(100), 'old'));
    await t.storage.audit.record(audit(daysAgo(1), 'recent'));
    const oldRun = await run(daysAgo(100), 'succeeded');

    const report = await applyRetention({ storage: t.storage, settings: RETENTION, now: NOW });

    expect(report).toMatchObject({ runs: 1, auditEntries: 1 });
    expect(await auditTargets()).toEqual(['old', 'recent']);
    expect(await rowOf(oldRun.execId)).toBeNull();
    const shorter = await applyRetention({ storage: t.storage, settings: { ...RETENTION, auditDays: 30 }, now: NOW });
    expect(shorter).toMatchObject({ auditEntries: 1 });
    expect(await auditTargets()).toEqual(['recent']);
  });

  it('purges at most a batch of runs and of audit entries a tick; the next tick goes on where it stopped', async () => {
    // more rows of one day than a table transaction holds, and rows of other days
    const sameDay = daysAgo(120);
    await Promise.all(
      Array.from({ length: 130 }, (_, i) =>
        t.storage.executions.create({
          ...planRun(schema, HTTP_TRIGGER, new Date(sameDay.getTime() + i)).execution,
          status: 'succeeded',
        }),
      ),
    );
    for (const days of [95, 200, 300]) await run(daysAgo(days), 'failed');
    for (const days of [400, 401, 402, 403, 404]) await t.storage.audit.record(audit(daysAgo(days), `a${days}`));
    await t.storage.audit.record(audit(daysAgo(1), 'recent'));
    const settings = { ...RETENTION, batchSize: 120 };

    expect(await applyRetention({ storage: t.storage, settings, now: NOW })).toMatchObject({
      runs: 120,
      auditEntries: 5,
    });
    expect(await countRuns()).toBe(13);
    expect(await applyRetention({ storage: t.storage, settings, now: NOW })).toMatchObject({
      runs: 13,
      auditEntries: 0,
    });
    expect(await countRuns()).toBe(0);
    expect(await auditTargets()).toEqual(['recent']);

    const small = { ...RETENTION, batchSize: 2 };
    for (const days of [100, 101, 102]) await run(daysAgo(days), 'succeeded');
    expect(await applyRetention({ storage: t.storage, settings: small, now: NOW })).toMatchObject({ runs: 2 });
    expect(await countRuns()).toBe(1);
    expect(await applyRetention({ storage: t.storage, settings: small, now: NOW })).toMatchObject({ runs: 1 });
    expect(await applyRetention({ storage: t.storage, settings: small, now: NOW })).toMatchObject({ runs: 0 });
  });

  it('finishes what another purge started: two passes at once both succeed and leave nothing', async () => {
    const old = await alertRuns(daysAgo(100), ['succeeded', 'failed', 'cancelled']);
    for (const days of [100, 101]) await run(daysAgo(days), 'succeeded');

    const reports = await Promise.all([
      applyRetention({ storage: t.storage, settings: RETENTION, now: NOW }),
      applyRetention({ storage: t.storage, settings: RETENTION, now: NOW }),
    ]);

    expect(reports.map((r) => r.runs)).toEqual([5, 5]);
    expect(await countRuns()).toBe(0);
    for (const { execution } of old.runs) expect(await t.storage.alertPayloads.load(execution.execId)).toBeNull();
    expect(await requestBlobExists(old.requestId)).toBe(false);
  });

  it('takes workers silent for longer than the dead-worker retention off /api/workers, from Housekeeping', async () => {
    const beat = (workerId: string, lastSeen: Date) =>
      t.storage.workers.beat(
        workerBeat({ workerId, concurrency: 1, startedAt: daysAgo(3).toISOString(), lastSeen: lastSeen.toISOString() }),
      );
    await beat('gone', new Date(Date.now() - 2 * 3600_000));
    await beat('silent', new Date(Date.now() - 10 * 60_000));
    await beat('live', new Date());
    const services = testServices(t, { retention: { deadWorkerMs: 3600_000 } });
    const viewer = await bearerFor(t, 'viewer');
    const listed = async () => {
      const res = await callHttp(listWorkersFunction(services), {
        url: 'http://x/api/workers',
        headers: { authorization: viewer },
      });
      return (res.json as { workers: { worker_id: string; alive: boolean }[] }).workers;
    };
    expect((await listed()).map((w) => w.worker_id)).toEqual(['gone', 'live', 'silent']);

    const logs: string[] = [];
    await housekeepingFunction(services).handler(
      new InvocationContext({
        functionName: 'Housekeeping',
        logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
      }),
    );

    expect(await listed()).toEqual([
      expect.objectContaining({ worker_id: 'live', alive: true }),
      expect.objectContaining({ worker_id: 'silent', alive: false }),
    ]);
    expect(logs.join('\n')).toMatch(/retention purged 0 runs, 0 audit entries and 1 dead worker/);
  });
});
