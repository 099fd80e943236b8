import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import type { ScheduleDeclaration } from '../../../src/core/schedule.js';
import { ScheduleEntry } from '../../../src/core/schedule.js';
import { tickExecId } from '../../../src/core/schedule-ticks.js';
import { InvocationContext } from '../../../src/functions/azure-runtime.js';
import { schedulerFunction } from '../../../src/functions/scheduler.js';
import { Scheduler } from '../../../src/intake/index.js';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import { testServices } from '../../support/functions.js';
import { asRun } from '../../support/runs.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const declared = (schemaId: string, id: string, fields: Record<string, unknown> = {}): ScheduleDeclaration => ({
  schemaId,
  entry: ScheduleEntry.parse({ id, cron: '0 * * * *', ...fields }),
});
const at = (s: string) => new Date(s);
const context = () => new InvocationContext({ invocationId: 'tick', functionName: 'Scheduler' });

/** The Scheduler timer: each tick of each enabled schedule starts one run, like any other run. */
describe('the Scheduler', () => {
  let t: TestStorage;
  const scheduler = (now: string) => new Scheduler({ storage: t.storage, from: 'test', now: () => at(now) });

  async function runsOf(schemaId: string): Promise<Execution[]> {
    return (await t.storage.executions.list({ schemaId, limit: 200 })).executions;
  }
  /** The ids of the jobs queued for the Runbook workers (peeked: they stay). */
  async function queuedIds(): Promise<string[]> {
    const queue = t.storage.clients.queue(t.storage.names.jobQueue('Runbook'));
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 }).catch(() => ({
      peekedMessageItems: [],
    }));
    return peekedMessageItems.map((m) => (decodeMessage(m.messageText) as { execId: string }).execId);
  }
  async function drainJobs(): Promise<void> {
    await t.storage.clients
      .queue(t.storage.names.jobQueue('Runbook'))
      .clearMessages()
      .catch(() => undefined);
  }

  let shared: TestStorage;
  beforeAll(async () => {
    shared = await createTestStorage();
    t = shared;
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'hourly' }),
      testSchema({ id: 'off' }),
      testSchema({ id: 'gated', requireApproval: true }),
      testSchema({ id: 'typed', parameters: [{ name: 'namespace', type: 'string', required: true, description: '' }] }),
      testSchema({ id: 'single', concurrency: 'skip' }),
      testSchema({ id: 'seconds' }),
    ]);
  });
  afterAll(() => shared.cleanup());

  it('fires a tick once when two invocations look at it together, and once more when one is retried', async () => {
    await drainJobs();
    await t.storage.schedules.importFromFile([declared('hourly', 'hourly-1')], { now: at('2026-01-01T09:30:00Z') });
    const before = await t.storage.schedules.get('hourly-1');
    const passes = await Promise.all([
      scheduler('2026-01-01T10:00:05Z').runDue(),
      scheduler('2026-01-01T10:00:07Z').runDue(),
    ]);
    const kinds = passes.flatMap((p) => p.fired.filter((f) => f.scheduleId === 'hourly-1').map((f) => f.kind));
    expect(kinds.sort()).toEqual(['already-fired', 'started']);
    // the retried invocation: as if the first one died before it could advance the schedule
    await t.storage.schedules.update('hourly-1', () => before);
    const retried = await scheduler('2026-01-01T10:00:20Z').runDue();
    expect(retried.fired.map((f) => f.kind)).toEqual(['already-fired']);

    const runs = await runsOf('hourly');
    const execId = tickExecId('hourly-1', at('2026-01-01T10:00:00Z'));
    expect(runs.map((r) => r.execId)).toEqual([execId]);
    expect(await queuedIds()).toEqual([execId]);
    const [run] = runs;
    expect(run).toMatchObject({
      status: 'accepted',
      trigger: { source: 'schedule', actor: 'schedule:hourly-1', team: null, principal: null },
      schedule: { id: 'hourly-1', tick: '2026-01-01T10:00:00.000Z' },
    });
    expect(await t.storage.schedules.get('hourly-1')).toMatchObject({
      lastTick: '2026-01-01T10:00:00.000Z',
      lastExecId: execId,
      nextTick: '2026-01-01T11:00:00.000Z',
      missedTicks: null,
    });
    const audit = await t.storage.audit.list({ limit: 50 });
    expect(audit.entries.filter((e) => e.target === execId)).toMatchObject([
      { action: 'trigger', actorKind: 'schedule', actorId: 'schedule:hourly-1', details: { schedule: 'hourly-1' } },
    ]);
  });

  it('never fires a disabled schedule, whether the file or an admin disabled it', async () => {
    await t.storage.schedules.importFromFile(
      [declared('off', 'off-in-file', { enabled: false }), declared('off', 'off-by-admin')],
      { now: at('2026-01-01T09:30:00Z') },
    );
    await t.storage.schedules.setEnabled('off-by-admin', false, 'user:alice', at('2026-01-01T09:31:00Z'));
    const pass = await scheduler('2026-01-01T10:00:05Z').runDue();
    expect(pass.fired.filter((f) => f.scheduleId.startsWith('off-'))).toEqual([]);
    expect(await runsOf('off')).toEqual([]);
  });

  it("holds a gated schema's scheduled run for approval, naming the schedule as who asked", async () => {
    await drainJobs();
    await t.storage.schedules.importFromFile([declared('gated', 'gated-nightly')], { now: at('2026-01-01T09:30:00Z') });
    const pass = await scheduler('2026-01-01T10:00:05Z').runDue();
    expect(pass.fired.filter((f) => f.scheduleId === 'gated-nightly').map((f) => f.kind)).toEqual(['pending_approval']);
    const [run] = await runsOf('gated');
    expect(run?.status).toBe('pending_approval');
    expect(run?.approval?.requestedBy).toBe('schedule:gated-nightly');
    expect(await queuedIds()).not.toContain(run?.execId);
    expect((await t.storage.executions.listPending()).map((e) => e.execId)).toContain(run?.execId);
  });

  it('after a 3-hour outage fires one catch-up with run-once, none with skip, and records the missed ticks', async () => {
    await t.storage.schedules.importFromFile(
      [declared('hourly', 'outage-once', { missed: 'run-once' }), declared('hourly', 'outage-skip')],
      { now: at('2026-01-02T06:30:00Z') },
    );
    await scheduler('2026-01-02T07:00:05Z').runDue();
    // down from 07:00:05 to 10:20: 08:00, 09:00 and 10:00 passed unseen
    const pass = await scheduler('2026-01-02T10:20:00Z').runDue();
    const fired = pass.fired.filter((f) => f.scheduleId.startsWith('outage-'));
    expect(fired.map((f) => [f.scheduleId, f.tick, f.catchUp])).toEqual([
      ['outage-once', '2026-01-02T10:00:00.000Z', true],
    ]);
    const missed = { count: 3, first: '2026-01-02T08:00:00.000Z', last: '2026-01-02T10:00:00.000Z' };
    expect((await t.storage.schedules.get('outage-once'))?.missedTicks).toEqual(missed);
    expect(await t.storage.schedules.get('outage-skip')).toMatchObject({
      missedTicks: missed,
      lastTick: '2026-01-02T10:00:00.000Z',
    });
    // caught up: the next look fires nothing more
    const after = await scheduler('2026-01-02T10:20:15Z').runDue();
    expect(after.fired.filter((f) => f.scheduleId.startsWith('outage-'))).toEqual([]);
  });

  it('records why a tick could not start a run, and tries the next tick again', async () => {
    // the schema gained a required parameter after the schedule was imported
    await t.storage.schedules.importFromFile([declared('typed', 'typed-nightly')], { now: at('2026-01-01T09:30:00Z') });
    const pass = await scheduler('2026-01-01T10:00:05Z').runDue();
    expect(pass.errors).toEqual([
      { scheduleId: 'typed-nightly', error: 'invalid params for typed: params.namespace: is required' },
    ]);
    expect(await runsOf('typed')).toEqual([]);
    expect(await t.storage.schedules.get('typed-nightly')).toMatchObject({
      lastTick: '2026-01-01T10:00:00.000Z',
      lastError: 'invalid params for typed: params.namespace: is required',
    });
  });

  it('skips a tick while the previous run is active under concurrency skip, and fires the next once it ended', async () => {
    await t.storage.schedules.importFromFile([declared('single', 'single-hourly')], {
      now: at('2026-01-01T09:30:00Z'),
    });
    await scheduler('2026-01-01T10:00:05Z').runDue();
    const second = await scheduler('2026-01-01T11:00:05Z').runDue();
    expect(second.fired.filter((f) => f.scheduleId === 'single-hourly').map((f) => f.kind)).toEqual(['skipped']);
    const skipped = await t.storage.executions.get(tickExecId('single-hourly', at('2026-01-01T11:00:00Z')));
    expect(skipped?.execution).toMatchObject({ status: 'skipped', error: expect.stringMatching(/still active/) });

    // the first run fails: later ticks go on
    const first = await t.storage.executions.get(tickExecId('single-hourly', at('2026-01-01T10:00:00Z')));
    if (!first) throw new Error('no first run');
    await t.storage.executions.transition(first, { ...asRun(first.execution), status: 'cancelled', error: 'gone' });
    await t.storage.schedules.update('single-hourly', (s) => ({ ...s, lastExecId: first.execution.execId }));
    const third = await scheduler('2026-01-01T12:00:05Z').runDue();
    expect(third.fired.filter((f) => f.scheduleId === 'single-hourly').map((f) => f.kind)).toEqual(['started']);
  });

  it('runs as the Scheduler timer function: two concurrent invocations start one run per tick', async () => {
    // storage of its own: the schedules above live in 2026-01, and would catch up now
    const own = await createTestStorage();
    onTestFinished(() => own.cleanup());
    t = own;
    await t.storage.schemas.importSchemas([testSchema({ id: 'seconds' })]);
    const services = testServices(t);
    const fn = schedulerFunction(services);
    expect(fn).toMatchObject({ kind: 'timer', name: 'Scheduler', schedule: '*/15 * * * * *' });
    // every second, counting from 3 s ago: a few ticks are due now
    await t.storage.schedules.importFromFile([declared('seconds', 'every-second', { cron: '* * * * * *' })], {
      now: new Date(Date.now() - 3000),
    });
    await Promise.all([fn.handler(context()), fn.handler(context())]);
    await fn.handler(context());
    const runs = await runsOf('seconds');
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const ticks = runs.map((r) => r.schedule?.tick);
    expect(new Set(ticks).size).toBe(runs.length);
    const queued = await queuedIds();
    expect(queued.sort()).toEqual(runs.map((r) => r.execId).sort());
  });
});
