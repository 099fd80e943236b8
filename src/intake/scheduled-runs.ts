import type { Run, RunTrigger, ScheduledTick } from '../core/execution.js';
import { resolveParams } from '../core/run-parameters.js';
import { planRun } from '../core/run-plan.js';
import type { RunbookSchema } from '../core/runbook-schema.js';
import type { Schedule } from '../core/schedule.js';
import { isScheduleEnabled } from '../core/schedule.js';
import type { DueTick, TickOutcome } from '../core/schedule-ticks.js';
import {
  afterTicks,
  dueTicks,
  isBeforeNextTick,
  ON_TIME_TOLERANCE_MS,
  tickExecId,
  ticksCountFrom,
} from '../core/schedule-ticks.js';
import type { WakeWorkers } from '../runs/index.js';
import { RunDispatcher } from '../runs/index.js';
import type { Storage } from '../storage/index.js';

/** What became of one due tick. */
export interface FiredTick {
  readonly scheduleId: string;
  readonly tick: string;
  readonly execId: string;
  /**
   * `started` or `pending_approval`: this call recorded the run; `already-fired`: another invocation had
   * (a concurrent or retried one); `skipped`: the schema's `concurrency: skip` and the schedule's previous
   * run still active, recorded as a `skipped` run.
   */
  readonly kind: 'started' | 'pending_approval' | 'skipped' | 'already-fired';
  readonly catchUp: boolean;
}

/** One look at every schedule. */
export interface SchedulerPass {
  readonly fired: FiredTick[];
  /** Schedules whose ticks were missed (an outage), as this look found them. */
  readonly missed: {
    readonly scheduleId: string;
    readonly count: number;
    readonly first: string;
    readonly last: string;
  }[];
  /** Schedules whose due ticks could not start a run, and why; later ticks try again. */
  readonly errors: { readonly scheduleId: string; readonly error: string }[];
}

export interface SchedulerOptions {
  readonly storage: Pick<Storage, 'schedules' | 'schemas' | 'executions' | 'jobs' | 'results' | 'audit'>;
  /** Where the audit log says the runs came from, e.g. `scheduler on <host>`. */
  readonly from: string;
  /** The deployment's AKS integration, as for any run (`aks_credentials: auto`). */
  readonly aksClusters?: readonly string[];
  /** Nudges a worker once a tick's run is queued (default: none, the run waits for a poll). */
  readonly wake?: WakeWorkers;
  readonly now?: () => Date;
  /** How old a tick may be and still be on time (default ON_TIME_TOLERANCE_MS). */
  readonly toleranceMs?: number;
}

const ACTIVE = new Set(['pending_approval', 'accepted', 'running']);

/**
 * Starts the runs of due schedule ticks, each exactly once across instances and retries, through the same
 * planning and dispatch as any run (approval gates, concurrency, on-call and notifications follow from
 * there). Exactly once holds because a tick's run id is a function of (schedule, tick) alone
 * (`tickExecId`) and the run's row is inserted, never upserted: two invocations looking at the same tick,
 * a retried invocation, or instances with skewed clocks all compute the same id and only one insert wins.
 * The loser sees the row and queues nothing. What happens after the insert is already crash-safe: a run
 * recorded but not queued is queued again by Housekeeping (requeueOrphanRuns). The schedule's state
 * (`lastTick`) is advanced afterwards with an ETag-guarded write that only moves forward; losing that
 * race, or crashing before it, only means the next look computes the same ticks and the same ids again.
 */
export class Scheduler {
  private readonly dispatcher: RunDispatcher;
  private readonly now: () => Date;

  constructor(private readonly options: SchedulerOptions) {
    this.dispatcher = new RunDispatcher(options.storage, options.wake);
    this.now = options.now ?? (() => new Date());
  }

  async runDue(): Promise<SchedulerPass> {
    const pass: SchedulerPass = { fired: [], missed: [], errors: [] };
    const schedules = (await this.options.storage.schedules.list()).filter(isScheduleEnabled);
    if (schedules.length === 0) return pass;
    const schemas = new Map((await this.options.storage.schemas.list()).map((s) => [s.id, s]));
    const now = this.now();
    for (const schedule of schedules) {
      try {
        await this.look(schedule, schemas.get(schedule.schemaId) ?? null, now, pass);
      } catch (err) {
        // one schedule's trouble (storage blip, a row nobody can read) holds up no other
        pass.errors.push({ scheduleId: schedule.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return pass;
  }

  private async look(schedule: Schedule, schema: RunbookSchema | null, now: Date, pass: SchedulerPass): Promise<void> {
    if (isBeforeNextTick(schedule, now)) return;
    const plan = dueTicks(schedule, ticksCountFrom(schedule), now, this.options.toleranceMs ?? ON_TIME_TOLERANCE_MS);
    if (!plan.through) return;
    if (plan.missed) pass.missed.push({ scheduleId: schedule.id, ...plan.missed });
    let execId: string | null = null;
    let error: string | null = null;
    const params = schema ? resolveParams(schema.parameters, schedule.params) : null;
    if (!schema) error = `schema ${schedule.schemaId} does not exist (any more): no run started`;
    else if (params && !params.ok) error = `invalid params for ${schema.id}: ${params.problems.join('; ')}`;
    if (schema && params?.ok) {
      let previous = schedule.lastExecId;
      for (const due of plan.fire) {
        const fired = await this.fire(schedule, schema, params.params, due, previous, now);
        pass.fired.push(fired);
        previous = fired.execId;
        execId = fired.execId;
      }
    }
    if (error) pass.errors.push({ scheduleId: schedule.id, error });
    const outcome: TickOutcome = { plan, execId, error };
    await this.options.storage.schedules.update(schedule.id, (current) => afterTicks(current, outcome));
  }

  private async fire(
    schedule: Schedule,
    schema: RunbookSchema,
    params: Run['params'],
    due: DueTick,
    previousExecId: string | null,
    now: Date,
  ): Promise<FiredTick> {
    const tick: ScheduledTick = { id: schedule.id, tick: due.tick.toISOString() };
    const execId = tickExecId(schedule.id, due.tick);
    const base = { scheduleId: schedule.id, tick: tick.tick, execId, catchUp: due.catchUp };
    const trigger: RunTrigger = { source: 'schedule', actor: `schedule:${schedule.id}`, team: null, principal: null };
    const plan = planRun(schema, trigger, now, execId, null, {
      params,
      schedule: tick,
      aksClusters: this.options.aksClusters ?? [],
    });
    if (schema.concurrency === 'skip' && (await this.isActive(previousExecId))) {
      // recorded all the same: the tick is claimed once, and "why did it not run at 03:00?" has an answer
      const skipped: Run = {
        ...plan.execution,
        status: 'skipped',
        approval: null,
        exclusiveKey: null,
        finishedAt: now.toISOString(),
        error: `skipped: concurrency is skip and the schedule's previous run ${previousExecId} is still active`,
      };
      const recorded = await this.options.storage.executions.createOnce(skipped);
      return { ...base, kind: recorded === null ? 'already-fired' : 'skipped' };
    }
    if (!(await this.dispatcher.dispatchOnce(plan))) return { ...base, kind: 'already-fired' };
    await this.options.storage.audit.record({
      at: now.toISOString(),
      action: 'trigger',
      actorKind: 'schedule',
      actorId: `schedule:${schedule.id}`,
      from: this.options.from,
      target: execId,
      details: {
        schema: schema.id,
        schedule: schedule.id,
        tick: tick.tick,
        ...(due.catchUp ? { catch_up: 'true' } : {}),
      },
    });
    return { ...base, kind: plan.job ? 'started' : 'pending_approval' };
  }

  private async isActive(execId: string | null): Promise<boolean> {
    if (!execId) return false;
    const found = await this.options.storage.executions.get(execId);
    return !!found && ACTIVE.has(found.execution.status);
  }
}
