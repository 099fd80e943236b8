import { describe, expect, it } from 'vitest';
import { ExecId, execIdTimeMs } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { parseSchemaEntries, parseSchemasFile } from '../../../src/core/runbook-schema.js';
import type { Schedule } from '../../../src/core/schedule.js';
import {
  isScheduleEnabled,
  newSchedule,
  overrideEnabled,
  redeclareSchedule,
  ScheduleEntry,
} from '../../../src/core/schedule.js';
import { cronProblem, nextTicks, previousTick, timezoneProblem } from '../../../src/core/schedule-cron.js';
import {
  afterTicks,
  dueTicks,
  isBeforeNextTick,
  MAX_COUNTED_MISSED_TICKS,
  ON_TIME_TOLERANCE_MS,
  tickExecId,
  ticksCountFrom,
} from '../../../src/core/schedule-ticks.js';
import { testSchema } from '../../support/schemas.js';

const iso = (d: Date) => d.toISOString();
const entry = (fields: Record<string, unknown> = {}) =>
  ScheduleEntry.parse({ id: 'nightly', cron: '0 3 * * *', ...fields });

const file = (schedules: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify([
    {
      partition_key: 'p',
      entity: [{ id: 'a', name: 'a', runbook: 'a.sh', worker: 'Runbook', schedules, ...extra }],
    },
  ]);

describe('cron expressions of schedules', () => {
  const utc = (cron: string) => ({ cron, timezone: 'UTC' });
  const from = new Date('2026-01-01T00:00:00Z'); // a Thursday

  it('reads 5 fields as minutes and 6 fields with seconds first', () => {
    expect(nextTicks(utc('*/20 * * * *'), from, 3).map(iso)).toEqual([
      '2026-01-01T00:20:00.000Z',
      '2026-01-01T00:40:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
    expect(nextTicks(utc('*/15 * * * * *'), from, 2).map(iso)).toEqual([
      '2026-01-01T00:00:15.000Z',
      '2026-01-01T00:00:30.000Z',
    ]);
    // a 6-field expression whose seconds are 0: the original's timer missed these
    expect(nextTicks(utc('0 30 2 * * *'), from, 1).map(iso)).toEqual(['2026-01-01T02:30:00.000Z']);
  });

  it('takes day and month names, ranges with steps, and macros', () => {
    expect(nextTicks(utc('0 9 * * MON-FRI'), from, 3).map(iso)).toEqual([
      '2026-01-01T09:00:00.000Z',
      '2026-01-02T09:00:00.000Z',
      '2026-01-05T09:00:00.000Z',
    ]);
    expect(nextTicks(utc('0 0 1 FEB,APR *'), from, 2).map(iso)).toEqual([
      '2026-02-01T00:00:00.000Z',
      '2026-04-01T00:00:00.000Z',
    ]);
    expect(nextTicks(utc('0 1-9/4 * * *'), from, 3).map(iso)).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T05:00:00.000Z',
      '2026-01-01T09:00:00.000Z',
    ]);
    expect(nextTicks(utc('@daily'), from, 1).map(iso)).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(nextTicks(utc('@hourly'), from, 1).map(iso)).toEqual(['2026-01-01T01:00:00.000Z']);
    expect(nextTicks(utc('@weekly'), from, 1).map(iso)).toEqual(['2026-01-04T00:00:00.000Z']);
    expect(nextTicks(utc('@monthly'), from, 1).map(iso)).toEqual(['2026-02-01T00:00:00.000Z']);
    expect(nextTicks(utc('@yearly'), from, 1).map(iso)).toEqual(['2027-01-01T00:00:00.000Z']);
  });

  it('refuses what is not a 5- or 6-field expression, and zones that are not IANA names', () => {
    expect(cronProblem('* * *')).toMatch(/is not a valid cron expression/);
    expect(cronProblem('61 * * * *')).toMatch(/minute/);
    expect(cronProblem('* * * * * * *')).toMatch(/5 or 6 parts/);
    expect(cronProblem('0 3 * * *')).toBeNull();
    expect(timezoneProblem('Europe/Rome')).toBeNull();
    expect(timezoneProblem('UTC')).toBeNull();
    expect(timezoneProblem('Europe/Atlantis')).toMatch(/not an IANA time zone/);
    expect(timezoneProblem('+01:00')).toMatch(/not an IANA time zone/);
  });

  it('finds the latest tick at or before an instant', () => {
    expect(previousTick(utc('0 * * * *'), new Date('2026-01-01T05:00:00Z'))?.toISOString()).toBe(
      '2026-01-01T05:00:00.000Z',
    );
    expect(previousTick(utc('0 * * * *'), new Date('2026-01-01T05:59:59Z'))?.toISOString()).toBe(
      '2026-01-01T05:00:00.000Z',
    );
  });

  describe('DST in Europe/Rome', () => {
    const rome = { cron: '30 2 * * *', timezone: 'Europe/Rome' };

    it('runs a 02:30 job once on the spring-forward day (2026-03-29), right after the gap', () => {
      const ticks = nextTicks(rome, new Date('2026-03-28T12:00:00Z'), 3).map(iso);
      // 02:30 does not exist on 29 March: 02:00 CET became 03:00 CEST, so it runs at 03:00 CEST (01:00Z)
      expect(ticks).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
    });

    it('runs a 02:30 job once on the fall-back day (2026-10-25), at the first 02:30', () => {
      const ticks = nextTicks(rome, new Date('2026-10-24T12:00:00Z'), 3).map(iso);
      // 02:30 CEST (00:30Z) and 02:30 CET (01:30Z) both exist: only the first runs
      expect(ticks).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']);
    });
  });
});

describe('schedules in the schemas file', () => {
  it('reads an entry with its defaults and hands the schedules out beside the schemas', () => {
    const result = parseSchemasFile(file([{ id: 'nightly', cron: '0 3 * * *' }]));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.schedules).toEqual([
      {
        schemaId: 'a',
        entry: {
          id: 'nightly',
          cron: '0 3 * * *',
          timezone: 'UTC',
          params: {},
          enabled: true,
          missed: 'skip',
          description: '',
        },
      },
    ]);
    // a schedule is a row of its own, not a field of the schema
    expect(result.schemas[0]).not.toHaveProperty('schedules');
  });

  it('names the field and JSON path of an invalid cron or zone, and the entry costs only itself', () => {
    const result = parseSchemaEntries(
      file([
        { id: 'ok', cron: '0 3 * * *' },
        { id: 'bad-cron', cron: '0 25 * * *' },
        { id: 'bad-zone', cron: '0 3 * * *', timezone: 'Mars/Olympus' },
        { id: 'bad-missed', cron: '0 3 * * *', missed: 'all' },
      ]),
    );
    expect(result.schemas).toEqual([]);
    expect(result.schedules).toEqual([]);
    expect(result.errors.map((e) => e.path)).toEqual([
      '[0].entity[0].schedules[1].cron',
      '[0].entity[0].schedules[2].timezone',
      '[0].entity[0].schedules[3].missed',
    ]);
    expect(result.errors[0]?.message).toMatch(/"0 25 \* \* \*" is not a valid cron expression: .*hour/);
    expect(result.errors[1]?.message).toMatch(/"Mars\/Olympus" is not an IANA time zone/);
    expect(result.skipped).toEqual([{ path: '[0].entity[0]', id: 'a' }]);
  });

  it("checks params against the schema's typed parameters", () => {
    const parameters = [
      { name: 'namespace', type: 'string', required: true },
      { name: 'replicas', type: 'number' },
    ];
    const result = parseSchemaEntries(
      file(
        [
          { id: 'good', cron: '@daily', params: { namespace: 'payments', replicas: 2 } },
          { id: 'bad', cron: '@daily', params: { replicas: 'many', colour: 'red' } },
        ],
        { parameters },
      ),
    );
    expect(result.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      '[0].entity[0].schedules[1].params: params.colour: unknown parameter (this runbook takes namespace, replicas)',
      '[0].entity[0].schedules[1].params: params.namespace: is required',
      '[0].entity[0].schedules[1].params: params.replicas: must be a number',
    ]);
  });

  it('refuses a schedule id used twice in the file, as an error of the later entry', () => {
    const text = JSON.stringify([
      {
        partition_key: 'p',
        entity: [
          { id: 'a', name: 'a', runbook: 'a.sh', worker: 'Runbook', schedules: [{ id: 'nightly', cron: '@daily' }] },
          { id: 'b', name: 'b', runbook: 'b.sh', worker: 'Runbook', schedules: [{ id: 'nightly', cron: '@daily' }] },
        ],
      },
    ]);
    const result = parseSchemaEntries(text);
    expect(result.schemas.map((s) => s.id)).toEqual(['a']);
    expect(result.schedules.map((s) => s.schemaId)).toEqual(['a']);
    expect(result.errors).toEqual([
      {
        path: '[0].entity[1].schedules[0].id',
        message: 'duplicate schedule id "nightly" (first defined at [0].entity[0].schedules[0].id)',
      },
    ]);
    expect(parseSchemasFile(text).ok).toBe(false);
  });

  it('refuses fields a schedule does not have, and ids that cannot be table keys', () => {
    const result = parseSchemaEntries(file([{ id: 'a/b', cron: '@daily', every: '5m' }]));
    expect(result.errors.map((e) => e.path)).toEqual(['[0].entity[0].schedules[0].id', '[0].entity[0].schedules[0]']);
  });
});

describe('stored schedules', () => {
  const t0 = new Date('2026-01-01T10:00:00Z');
  const later = new Date('2026-01-02T10:00:00Z');
  const created = newSchedule({ schemaId: 'a', entry: entry() }, 'file', t0);

  it('start counting ticks when created, with the next one to come', () => {
    expect(created).toMatchObject({
      id: 'nightly',
      schemaId: 'a',
      origin: 'file',
      activeSince: '2026-01-01T10:00:00.000Z',
      nextTick: '2026-01-02T03:00:00.000Z',
      lastTick: null,
      missedTicks: null,
      enabledOverride: null,
    });
  });

  it('keep their state and override when declared again, and restart counting when retimed', () => {
    const fired: Schedule = {
      ...overrideEnabled(created, false, 'user:alice', t0),
      lastTick: '2026-01-02T03:00:00.000Z',
    };
    expect(redeclareSchedule(fired, { schemaId: 'a', entry: entry() }, 'file', later)).toBe(fired);
    const described = redeclareSchedule(fired, { schemaId: 'a', entry: entry({ description: 'x' }) }, 'file', later);
    expect(described).toMatchObject({ description: 'x', lastTick: fired.lastTick, activeSince: fired.activeSince });
    expect(isScheduleEnabled(described)).toBe(false);
    const retimed = redeclareSchedule(fired, { schemaId: 'a', entry: entry({ cron: '0 4 * * *' }) }, 'file', later);
    expect(retimed.activeSince).toBe(later.toISOString());
    expect(retimed.nextTick).toBe('2026-01-03T04:00:00.000Z');
  });

  it('count from when an admin enables them again: a disabled stretch is not missed ticks', () => {
    const off = overrideEnabled(created, false, 'user:alice', t0);
    expect(isScheduleEnabled(off)).toBe(false);
    const on = overrideEnabled(off, true, 'user:bob', later);
    expect(isScheduleEnabled(on)).toBe(true);
    expect(on.activeSince).toBe(later.toISOString());
    expect(on.enabledOverride).toEqual({ enabled: true, by: 'user:bob', at: later.toISOString() });
  });
});

describe('due ticks', () => {
  const hourly = { cron: '0 * * * *', timezone: 'UTC' };
  const at = (s: string) => new Date(s);

  it('fires a tick due now once, and nothing before its time', () => {
    const plan = dueTicks({ ...hourly, missed: 'skip' }, at('2026-01-01T09:00:00Z'), at('2026-01-01T10:00:05Z'));
    expect(plan.fire).toEqual([{ tick: at('2026-01-01T10:00:00Z'), catchUp: false }]);
    expect(plan.missed).toBeNull();
    expect(plan.through).toEqual(at('2026-01-01T10:00:00Z'));
    expect(plan.next).toEqual(at('2026-01-01T11:00:00Z'));
    const early = dueTicks({ ...hourly, missed: 'skip' }, at('2026-01-01T10:00:00Z'), at('2026-01-01T10:59:59Z'));
    expect(early).toEqual({ fire: [], missed: null, through: null, next: at('2026-01-01T11:00:00Z') });
  });

  it('after a 3-hour outage fires one catch-up with run-once, none with skip, and counts what was missed', () => {
    // last look 07:00, back at 10:20: the 08:00, 09:00 and 10:00 ticks passed unseen
    const after = at('2026-01-01T07:00:00Z');
    const now = at('2026-01-01T10:20:00Z');
    const missed = { count: 3, first: '2026-01-01T08:00:00.000Z', last: '2026-01-01T10:00:00.000Z' };
    const once = dueTicks({ ...hourly, missed: 'run-once' }, after, now);
    expect(once.fire).toEqual([{ tick: at('2026-01-01T10:00:00Z'), catchUp: true }]);
    expect(once.missed).toEqual(missed);
    const skip = dueTicks({ ...hourly, missed: 'skip' }, after, now);
    expect(skip.fire).toEqual([]);
    expect(skip.missed).toEqual(missed);
    expect(skip.through).toEqual(at('2026-01-01T10:00:00Z'));
  });

  it('never floods: a per-second cron after a 3-hour outage fires only the ticks of the on-time window', () => {
    const perSecond = { cron: '* * * * * *', timezone: 'UTC', missed: 'run-once' as const };
    const now = at('2026-01-01T10:00:00Z');
    const plan = dueTicks(perSecond, at('2026-01-01T07:00:00Z'), now);
    expect(plan.fire.length).toBe(ON_TIME_TOLERANCE_MS / 1000);
    expect(plan.fire.every((f) => !f.catchUp && now.getTime() - f.tick.getTime() < ON_TIME_TOLERANCE_MS)).toBe(true);
    expect(plan.missed?.count).toBe(MAX_COUNTED_MISSED_TICKS);
  });

  it('with a tick on time after an outage, fires that one only, whatever the policy', () => {
    const plan = dueTicks({ ...hourly, missed: 'run-once' }, at('2026-01-01T07:00:00Z'), at('2026-01-01T10:00:20Z'));
    expect(plan.fire).toEqual([{ tick: at('2026-01-01T10:00:00Z'), catchUp: false }]);
    expect(plan.missed).toEqual({ count: 2, first: '2026-01-01T08:00:00.000Z', last: '2026-01-01T09:00:00.000Z' });
  });

  it('fires every tick of a cron finer than the timer, each on time', () => {
    const everyTwo = { cron: '*/2 * * * * *', timezone: 'UTC', missed: 'skip' as const };
    const plan = dueTicks(everyTwo, at('2026-01-01T10:00:00Z'), at('2026-01-01T10:00:15Z'));
    expect(plan.fire.map((f) => f.tick.toISOString().slice(17, 19))).toEqual([
      '02',
      '04',
      '06',
      '08',
      '10',
      '12',
      '14',
    ]);
    expect(plan.missed).toBeNull();
  });

  it('counts ticks from the last one dealt with, or from when the schedule started counting', () => {
    expect(ticksCountFrom({ lastTick: null, activeSince: '2026-01-01T10:00:00.000Z' })).toEqual(
      at('2026-01-01T10:00:00Z'),
    );
    expect(ticksCountFrom({ lastTick: '2026-01-01T11:00:00.000Z', activeSince: '2026-01-01T10:00:00.000Z' })).toEqual(
      at('2026-01-01T11:00:00Z'),
    );
    // re-enabled after the last tick: the disabled stretch is not missed
    expect(ticksCountFrom({ lastTick: '2026-01-01T11:00:00.000Z', activeSince: '2026-01-03T10:00:00.000Z' })).toEqual(
      at('2026-01-03T10:00:00Z'),
    );
  });
});

describe('the run id of a tick', () => {
  it('is a UUIDv7 whose time is the tick, the same for the same schedule and tick, different otherwise', () => {
    const tick = new Date('2026-03-29T01:00:00Z');
    const id = tickExecId('nightly', tick);
    expect(ExecId.safeParse(id).success).toBe(true);
    expect(execIdTimeMs(id)).toBe(tick.getTime());
    expect(tickExecId('nightly', new Date(tick))).toBe(id);
    expect(tickExecId('nightly-2', tick)).not.toBe(id);
    expect(tickExecId('nightly', new Date(tick.getTime() + 1000))).not.toBe(id);
  });

  it('lets a look skip the cron while the next tick it last computed is still to come', () => {
    const schedule = newSchedule({ schemaId: 'a', entry: entry() }, 'file', new Date('2026-01-01T00:00:00Z'));
    expect(isBeforeNextTick(schedule, new Date('2026-01-01T02:59:59Z'))).toBe(true);
    expect(isBeforeNextTick(schedule, new Date('2026-01-01T03:00:00Z'))).toBe(false);
    expect(isBeforeNextTick({ nextTick: null }, new Date('2026-01-01T02:00:00Z'))).toBe(false);
  });

  it('moves state only forward: the loser of a race writes nothing', () => {
    const schedule = newSchedule({ schemaId: 'a', entry: entry() }, 'file', new Date('2026-01-01T00:00:00Z'));
    const plan = dueTicks(schedule, ticksCountFrom(schedule), new Date('2026-01-01T03:00:10Z'));
    const advanced = afterTicks(schedule, { plan, execId: 'x', error: null });
    expect(advanced).toMatchObject({
      lastTick: '2026-01-01T03:00:00.000Z',
      lastExecId: 'x',
      nextTick: '2026-01-02T03:00:00.000Z',
    });
    if (!advanced) throw new Error('not advanced');
    expect(afterTicks(advanced, { plan, execId: 'x', error: null })).toBeNull();
  });
});

describe("a tick's run", () => {
  const trigger = { source: 'schedule' as const, actor: 'schedule:nightly', team: null, principal: null };
  const tick = { id: 'nightly', tick: '2026-01-01T03:00:00.000Z' };
  const now = new Date('2026-01-01T03:00:02Z');
  const execId = tickExecId('nightly', new Date(tick.tick));

  it('records its schedule and tick, and waits for approval under a gate, requested by the schedule', () => {
    const gated = testSchema({ id: 'gated', requireApproval: true });
    const plan = planRun(gated, trigger, now, execId, null, { schedule: tick });
    expect(plan.execution).toMatchObject({ execId, status: 'pending_approval', schedule: tick, trigger });
    expect(plan.execution.approval?.requestedBy).toBe('schedule:nightly');
    expect(plan.job).toBeNull();
  });

  it('takes turns per schedule under concurrency queue, and not otherwise', () => {
    const queued = planRun(testSchema({ id: 'q', concurrency: 'queue' }), trigger, now, execId, null, {
      schedule: tick,
    });
    expect(queued.execution.exclusiveKey).toMatch(/^[0-9a-f]{64}$/);
    expect(queued.job?.exclusiveKey).toBe(queued.execution.exclusiveKey);
    const parallel = planRun(testSchema({ id: 'p' }), trigger, now, execId, null, { schedule: tick });
    expect(parallel.execution.exclusiveKey).toBeNull();
  });
});
