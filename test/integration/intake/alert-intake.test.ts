import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunTrigger } from '../../../src/core/execution.js';
import { AlertIntake } from '../../../src/intake/index.js';
import { testAlert } from '../../support/alerts.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const trigger: RunTrigger = { source: 'alert', actor: 'functions key default', team: null, principal: null };

describe('AlertIntake on real storage', () => {
  let t: TestStorage;
  let clock = new Date('2026-11-27T08:00:00.000Z');
  let intake: AlertIntake;

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'disk-full' }),
      testSchema({ id: 'disk-cleanup', alertRules: ['DISK-FULL'] }),
      testSchema({ id: 'restart', onResolved: 'skip', dedupeWindowMinutes: 0 }),
      testSchema({ id: 'queued-cancel', onResolved: 'cancel' }),
      testSchema({ id: 'one-at-a-time', concurrency: 'skip', dedupeWindowMinutes: 0 }),
      testSchema({ id: 'gated-cancel', requireApproval: true, onResolved: 'cancel' }),
      testSchema({ id: 'gated-keep', requireApproval: true, onResolved: 'run' }),
      testSchema({ id: 'gated-skip', requireApproval: true, concurrency: 'skip', dedupeWindowMinutes: 0 }),
    ]);
    intake = new AlertIntake(t.storage, () => clock);
  });
  afterAll(() => t.cleanup());

  const schema = async (id: string) => {
    const found = await t.storage.schemas.get(id);
    if (!found) throw new Error(id);
    return found;
  };
  /** One alert delivered Fired, then the same alert Resolved, to one schema. */
  const fireThenResolve = async (schemaId: string, alertId: string) => {
    const s = await schema(schemaId);
    const alert = testAlert({ alertId });
    const fired = await intake.accept({ schema: s, alerts: [alert], payload: {}, trigger });
    const resolved = await intake.accept({
      schema: s,
      alerts: [{ ...alert, monitorCondition: 'Resolved' }],
      payload: {},
      trigger,
    });
    return { fired, resolved };
  };
  const runsOf = async (schemaId: string) => (await t.storage.executions.list({ schemaId, limit: 200 })).executions;

  it('runs every schema that handles the rule (its id, or alert_rules case-insensitively) and stores the payload', async () => {
    const alert = testAlert({ alertId: 'a-routing' });
    const outcomes = await intake.accept({ schema: null, alerts: [alert], payload: { raw: true }, trigger });
    expect(outcomes.map((o) => [o.kind, o.schemaId]).sort()).toEqual([
      ['started', 'disk-cleanup'],
      ['started', 'disk-full'],
    ]);
    const first = outcomes[0]?.execId ?? '';
    expect(await t.storage.alertPayloads.load(first)).toEqual({ alert, payload: { raw: true } });
    expect((await t.storage.executions.get(first))?.execution).toMatchObject({
      status: 'accepted',
      alertRule: 'disk-full',
      monitorCondition: 'Fired',
      resourceId: alert.resourceId,
      trigger,
    });
  });

  it("keeps a one-alert request's payload in its only run's blob, and two schemas' runs share one copy", async () => {
    const alert = testAlert({ alertId: 'a-whole' });
    const [alone] = await intake.accept({
      schema: await schema('disk-full'),
      alerts: [alert],
      payload: { n: 1 },
      trigger,
    });
    expect(await t.storage.alertPayloads.loadRun(alone?.execId ?? '')).toEqual({ alert, requestId: null });
    expect(await t.storage.alertPayloads.load(alone?.execId ?? '')).toEqual({ alert, payload: { n: 1 } });

    const routed = await intake.accept({
      schema: null,
      alerts: [{ ...alert, alertId: 'a-shared' }],
      payload: { n: 2 },
      trigger,
    });
    const blobs = await Promise.all(routed.map((o) => t.storage.alertPayloads.loadRun(o.execId ?? '')));
    expect(new Set(blobs.map((b) => b?.requestId)).size).toBe(1);
    expect(blobs[0]?.requestId).not.toBeNull();
  });

  it('starts exactly one run for 100 concurrent deliveries of one alert, and says so to each', async () => {
    const alert = testAlert({ alertId: 'a-storm' });
    const deliveries = await Promise.all(
      Array.from({ length: 100 }, () =>
        intake.accept({ schema: null, alerts: [alert], payload: {}, trigger }).then((o) => o[0]),
      ),
    );
    const started = deliveries.filter((d) => d?.kind === 'started');
    expect(started).toHaveLength(1);
    expect(new Set(deliveries.map((d) => d?.execId))).toEqual(new Set([started[0]?.execId]));
    expect(deliveries.filter((d) => d?.kind === 'deduplicated')).toHaveLength(99);
    const runs = (await runsOf(started[0]?.schemaId ?? '')).filter((r) => r.execId === started[0]?.execId);
    expect(runs).toHaveLength(1);
  });

  it('runs again once the window has passed, and for the Resolved condition of the same alert', async () => {
    const alert = testAlert({ alertId: 'a-window' });
    const run = async () =>
      (await intake.accept({ schema: await schema('disk-full'), alerts: [alert], payload: {}, trigger }))[0];
    expect((await run())?.kind).toBe('started');
    clock = new Date(clock.getTime() + 9 * 60_000);
    expect((await run())?.kind).toBe('deduplicated');
    clock = new Date(clock.getTime() + 2 * 60_000);
    expect((await run())?.kind).toBe('started');
    const resolved = await intake.accept({
      schema: await schema('disk-full'),
      alerts: [{ ...alert, monitorCondition: 'Resolved' }],
      payload: {},
      trigger,
    });
    expect(resolved[0]?.kind).toBe('started');
  });

  it('skips a Resolved alert when on_resolved is skip', async () => {
    const outcomes = await intake.accept({
      schema: await schema('restart'),
      alerts: [testAlert({ alertId: 'a-skip', monitorCondition: 'Resolved' })],
      payload: {},
      trigger,
    });
    expect(outcomes[0]).toMatchObject({ kind: 'skipped', execId: null, reason: 'on_resolved is skip' });
    expect(await runsOf('restart')).toEqual([]);
  });

  it('cancels the still-queued run of the same alert when it resolves (on_resolved cancel)', async () => {
    const { fired, resolved } = await fireThenResolve('queued-cancel', 'a-cancel');
    expect(resolved[0]).toMatchObject({ kind: 'cancelled', execId: fired[0]?.execId });
    expect((await t.storage.executions.get(fired[0]?.execId ?? ''))?.execution).toMatchObject({
      status: 'cancelled',
      error: 'cancelled: the alert resolved before the run started',
    });
  });

  it('skips a new run on a resource while one is active (concurrency skip), not on another resource', async () => {
    const s = await schema('one-at-a-time');
    const first = await intake.accept({ schema: s, alerts: [testAlert({ alertId: 'c1' })], payload: {}, trigger });
    const second = await intake.accept({ schema: s, alerts: [testAlert({ alertId: 'c2' })], payload: {}, trigger });
    expect(second[0]).toMatchObject({ kind: 'skipped', execId: first[0]?.execId });
    const elsewhere = await intake.accept({
      schema: s,
      alerts: [testAlert({ alertId: 'c3', resourceId: '/subscriptions/s1/resourceGroups/rg/providers/X/y/vm-2' })],
      payload: {},
      trigger,
    });
    expect(elsewhere[0]?.kind).toBe('started');
  });

  // found by the alert webhook fuzz: `"alertTargetIDs": ["\ud800"]` answered 500 (URIError while
  // encoding the table filter) after the request's other schemas had already started their runs
  it.each([
    ['a lone surrogate (JSON "\\ud800")', '/subscriptions/s1/resourceGroups/rg\ud800'],
    ['a pair the 1024-character cut splits', `/subscriptions/s1/${'x'.repeat(1005)}😀`],
    ['100k characters (a filter longer than a URL takes)', `/subscriptions/s1/${'a'.repeat(100_000)}`],
  ])('skips by a resource id that no filter can carry as sent: %s', async (_what, resourceId) => {
    const s = await schema('one-at-a-time');
    const alert = (alertId: string) => testAlert({ alertId, resourceId });
    const first = await intake.accept({ schema: s, alerts: [alert(`${resourceId.length}-1`)], payload: {}, trigger });
    const second = await intake.accept({ schema: s, alerts: [alert(`${resourceId.length}-2`)], payload: {}, trigger });
    expect(first[0]?.kind).toBe('started');
    expect(second[0]).toMatchObject({ kind: 'skipped', execId: first[0]?.execId });
  });

  describe('for a gated schema', () => {
    const results = () => t.storage.clients.queue(t.storage.names.resultsQueue);
    const announced = async () =>
      (await results().peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map(
        (m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString()) as { execId: string; status: string },
      );

    it('records a run that waits for approval, requested by the alert rule, and queues nothing', async () => {
      const outcomes = await intake.accept({
        schema: await schema('gated-keep'),
        alerts: [testAlert({ alertId: 'g1' })],
        payload: {},
        trigger,
      });
      expect(outcomes[0]).toMatchObject({ kind: 'pending_approval' });
      const run = (await t.storage.executions.get(outcomes[0]?.execId ?? ''))?.execution;
      expect(run).toMatchObject({ status: 'pending_approval', approval: { requestedBy: 'alert:disk-full' } });
      const queued = await t.storage.jobs.forWorker('Runbook').receive(32, 1);
      expect(queued.map((m) => (m.body as { execId: string }).execId)).not.toContain(run?.execId);
    });

    it('cancels the waiting run when the alert resolves and on_resolved is cancel, and announces it', async () => {
      const { fired, resolved } = await fireThenResolve('gated-cancel', 'g-cancel');
      const execId = fired[0]?.execId ?? '';
      expect(resolved[0]).toMatchObject({ kind: 'cancelled', execId });
      expect((await t.storage.executions.get(execId))?.execution.status).toBe('cancelled');
      expect(await announced()).toContainEqual(expect.objectContaining({ execId, status: 'cancelled' }));
    });

    it('leaves the waiting run as it is when on_resolved is run (the Resolved alert waits in its turn)', async () => {
      const { fired, resolved } = await fireThenResolve('gated-keep', 'g-keep');
      expect(resolved[0]?.kind).toBe('pending_approval');
      expect((await t.storage.executions.get(fired[0]?.execId ?? ''))?.execution.status).toBe('pending_approval');
    });

    it('counts a waiting run as active for concurrency skip', async () => {
      const s = await schema('gated-skip');
      const first = await intake.accept({ schema: s, alerts: [testAlert({ alertId: 'gs1' })], payload: {}, trigger });
      const second = await intake.accept({ schema: s, alerts: [testAlert({ alertId: 'gs2' })], payload: {}, trigger });
      expect(first[0]?.kind).toBe('pending_approval');
      expect(second[0]).toMatchObject({ kind: 'skipped', execId: first[0]?.execId });
    });
  });

  it('records an alert no schema handles as unmatched, visible in the run list', async () => {
    const outcomes = await intake.accept({
      schema: null,
      alerts: [testAlert({ alertId: 'u1', alertRule: 'nobody-handles-this' })],
      payload: {},
      trigger,
    });
    expect(outcomes[0]).toMatchObject({ kind: 'unmatched', schemaId: null });
    const unmatched = await t.storage.executions.list({ status: 'unmatched', limit: 10 });
    expect(unmatched.executions[0]).toMatchObject({
      execId: outcomes[0]?.execId,
      alertRule: 'nobody-handles-this',
      error: expect.stringMatching(/no schema handles alert rule "nobody-handles-this"/),
      deliveries: 1,
    });
  });

  it('counts repeats of an unmatched alert on its row until the dedupe window has passed', async () => {
    const alert = testAlert({ alertId: 'u-window', alertRule: 'nobody-handles-this' });
    const deliver = async () => (await intake.accept({ schema: null, alerts: [alert], payload: {}, trigger }))[0];
    const first = await deliver();
    clock = new Date(clock.getTime() + 9 * 60_000);
    expect(await deliver()).toMatchObject({ kind: 'unmatched', execId: first?.execId, isRepeat: true });
    expect((await t.storage.executions.get(first?.execId ?? ''))?.execution.deliveries).toBe(2);
    clock = new Date(clock.getTime() + 2 * 60_000);
    const later = await deliver();
    expect(later).toMatchObject({ kind: 'unmatched', isRepeat: false });
    expect(later?.execId).not.toBe(first?.execId);
    expect((await t.storage.executions.get(later?.execId ?? ''))?.execution.deliveries).toBe(1);
  });
});
