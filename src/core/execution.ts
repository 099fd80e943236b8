import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { ApprovalDecision, ApprovalGate } from './approval-gate.js';
import { RunResources } from './isolation.js';
import { ParamValue } from './run-parameters.js';

export const ExecutionStatus = z.enum([
  /** A run of a schema with `require_approval`: recorded, nothing queued, until people decide. */
  'pending_approval',
  /** Written by the trigger before the job is queued (or by the approval that let a gated run go). */
  'accepted',
  /** Claimed by a worker (conditional update) and its process started. */
  'running',
  'succeeded',
  /** The runbook exited non-zero. */
  'failed',
  /** The runbook outlived its schema's timeout and its process group was killed. */
  'timed_out',
  'cancelled',
  /** ClouDO could not run it at all (runbook missing, refused path, poison message...). */
  'error',
  /** Its worker vanished mid-run (detected by housekeeping). */
  'abandoned',
  /** An alert no schema handles: recorded so "why didn't my runbook run?" has an answer. */
  'unmatched',
  /** An alert the schema chose not to run (on_resolved skip, concurrency skip). */
  'skipped',
  /** A gated run someone refused (who and why are on the run). */
  'rejected',
  /** A gated run nobody decided on before its approval window closed. */
  'expired',
]);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

const TRANSITIONS: Readonly<Record<ExecutionStatus, readonly ExecutionStatus[]>> = {
  pending_approval: ['accepted', 'rejected', 'expired', 'cancelled', 'error'],
  accepted: ['running', 'cancelled', 'error'],
  running: ['succeeded', 'failed', 'timed_out', 'cancelled', 'error', 'abandoned'],
  succeeded: [],
  failed: [],
  timed_out: [],
  cancelled: [],
  error: [],
  abandoned: [],
  unmatched: [],
  skipped: [],
  rejected: [],
  expired: [],
};

export function canTransition(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isTerminal(status: ExecutionStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

/**
 * The one way out of a terminal status: housekeeping wrote `abandoned` from a silence it could not tell
 * from a death, and the worker of that same claim reports how the run really ended. The real outcome wins.
 */
export function isLateOutcome(current: Execution, next: Execution): boolean {
  return (
    current.status === 'abandoned' &&
    current.workerId !== null &&
    next.workerId === current.workerId &&
    next.status !== 'abandoned' &&
    canTransition('running', next.status)
  );
}

export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly from: ExecutionStatus,
    readonly to: ExecutionStatus,
  ) {
    super(`execution cannot go from ${from} to ${to}`);
  }
}

export const TriggerSource = z.enum(['http', 'cli', 'console', 'alert', 'schedule', 'rerun']);
export type TriggerSource = z.infer<typeof TriggerSource>;

/** Who or what asked for a run. */
export const RunTrigger = z.object({
  source: TriggerSource,
  /** Caller identity when known (user, token owner); null for anonymous local calls. */
  actor: z.string().max(256).nullable(),
  /** Team from `/api/Trigger/{team}` (or the schema's `team`); routes notifications. */
  team: z.string().max(64).nullable(),
  /**
   * The caller as approval policies name it (`Caller.principal`: `user:alice@contoso.com`,
   * `app:<id>`...); null when unknown (the local stack with access control off).
   */
  principal: z.string().max(300).nullable(),
});
export type RunTrigger = z.infer<typeof RunTrigger>;

/** Execution ids are UUIDv7: unique, and their first 48 bits are the request time in ms. */
export const ExecId = z.uuid({ version: 'v7', message: 'must be an execution id (UUIDv7)' });

const IsoTime = z.iso.datetime({ offset: true });

/** The tick of a schedule a run was started for (`trigger.source` is then `schedule`). */
export const ScheduledTick = z.object({
  /** The schedule's id (Table Schedules). */
  id: z.string().max(128),
  /** The cron time it fired for (not when it was recorded: a catch-up fires late). */
  tick: IsoTime,
});
export type ScheduledTick = z.infer<typeof ScheduledTick>;

/**
 * What happens to a row of Table Executions, run or unmatched alert. It defaults to nothing (null, false,
 * none): a row written before a field existed reads the same as a run it never applied to.
 */
const happenings = {
  requestedAt: IsoTime,
  startedAt: IsoTime.nullable().default(null),
  finishedAt: IsoTime.nullable().default(null),
  exitCode: z.number().int().nullable().default(null),
  /** Signal that ended the process, e.g. SIGKILL after a timeout. */
  signal: z.string().nullable().default(null),
  /** Why ClouDO could not run it, or a tail of stderr when it failed. */
  error: z.string().nullable().default(null),
  /** Size of the stored log in bytes, once the run has ended. */
  logBytes: z.number().int().nonnegative().nullable().default(null),
  /** Host name of the worker that ran it. */
  workerHost: z.string().nullable().default(null),
  /** The container group it ran in (an isolated run), by name; null when it ran on its worker's host. */
  containerGroup: z.string().max(63).nullable().default(null),
  /** Id of the worker process that claimed it (its row in Table Workers); housekeeping checks its heartbeat. */
  workerId: z.string().nullable().default(null),
  /** For alert runs: the rule, condition and resource (the full alert and payload are in a blob). */
  alertRule: z.string().max(1024).nullable().default(null),
  monitorCondition: z.enum(['Fired', 'Resolved']).nullable().default(null),
  resourceId: z.string().max(1024).nullable().default(null),
  /** Where the script that ran came from: a folder, or `github:owner/repo@sha:path`. */
  runbookOrigin: z.string().max(1024).nullable().default(null),
  /** The Git commit the script was taken from. */
  commitSha: z.string().max(64).nullable().default(null),
  /** The worker fetches per-run AKS credentials (schema `aks_credentials`, `auto` decided when planned). */
  aksCredentials: z.boolean().default(false),
  /**
   * The cluster of CLOUDO_AKS_CLUSTERS the run's alert is about (its managed-cluster id), when planned; the
   * worker fetches credentials for it. Null: none is, and a forced `aks_credentials` reads the alert.
   */
  aksCluster: z.string().max(1024).nullable().default(null),
  /**
   * When housekeeping marked the run `abandoned` while its worker was only out of touch (an outage): the
   * worker reported the real outcome later, and it replaced `abandoned`. Null for any other run.
   */
  abandonedAt: IsoTime.nullable().default(null),
  /**
   * When housekeeping queued this run's job again because the run had stayed `accepted` too long: its
   * trigger may have died between recording the run and queueing it. Once per run; null otherwise.
   */
  requeuedAt: IsoTime.nullable().default(null),
  /** Why on-call could not be told about this run, after every attempt; shown in the console. */
  notifyError: z.string().max(1000).nullable().default(null),
  /** Who asked to cancel a running run; its worker sees it and kills the process tree. */
  cancelRequestedBy: z.string().max(256).nullable().default(null),
  /** Runs sharing this key run one at a time (schema concurrency `queue`: schema + resource). */
  exclusiveKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable()
    .default(null),
  /** For a run of a schema with `require_approval`: the policy it waits under; null for any other run. */
  approval: ApprovalGate.nullable().default(null),
  /** Decisions made on a gated run, oldest first. */
  approvals: z.array(ApprovalDecision).max(50).default([]),
  /** Runs started again from this one (`POST /api/executions/{id}/rerun`), oldest first. */
  reruns: z.array(ExecId).max(100).default([]),
  /**
   * For an `unmatched` row: how many deliveries of its alert (same alert, same condition, within the
   * dedupe window) it stands for, from 1; null for any other run (their repeats are not counted).
   */
  deliveries: z.number().int().positive().nullable().default(null),
};

/** Every status but `unmatched`: the statuses of a run of a schema. */
export const RunStatus = ExecutionStatus.exclude(['unmatched']);
export type RunStatus = z.infer<typeof RunStatus>;

/**
 * One run of one runbook: the schema as it was when the run was requested (a later schema edit does
 * not change a queued run), who asked, and what happened.
 */
export const Run = z.object({
  execId: ExecId,
  schemaId: z.string(),
  schemaPartition: z.string(),
  schemaName: z.string(),
  runbook: z.string(),
  worker: z.string(),
  runArgs: z.string().default(''),
  oncall: z.boolean().default(false),
  /** Time limit of the run in ms. */
  timeoutMs: z.number().int().positive(),
  /** Values of the schema's `parameters` the run was asked with (checked then), as the runbook sees them. */
  params: z.record(z.string(), ParamValue).default({}),
  /** The run this one was started again from, when it is a re-run. */
  rerunOf: ExecId.nullable().default(null),
  /** The schedule and tick that started it, when a schedule did; null for any other run. */
  schedule: ScheduledTick.nullable().default(null),
  /**
   * The schema's `identity` when the run was planned: the Azure identity it acts as (a client id, or a name
   * of CLOUDO_RUNBOOK_IDENTITIES); null, as for rows from before it existed: the default runbook identity.
   */
  identity: z.string().max(64).nullable().default(null),
  /** The schema's `isolation` when the run was planned: on a shared worker, or in a container group of its own. */
  isolation: z.enum(['shared', 'container']).default('shared'),
  /** CPU and memory of its container group (container runs); null for a shared run. */
  resources: RunResources.nullable().default(null),
  trigger: RunTrigger,
  status: RunStatus,
  ...happenings,
});
export type Run = z.infer<typeof Run>;

/**
 * An alert no schema handles, recorded (terminal, never queued) so "why didn't my runbook run?" has an
 * answer. It has no schema, runbook, worker or time limit: those fields are null, so nothing can queue,
 * claim or run it. Same fields as a run, in the same order, so lists and the API show both alike.
 */
export const UnmatchedAlert = z.object({
  execId: ExecId,
  schemaId: z.null().default(null),
  schemaPartition: z.null().default(null),
  schemaName: z.null().default(null),
  runbook: z.null().default(null),
  worker: z.null().default(null),
  runArgs: z.literal('').default(''),
  oncall: z.literal(false).default(false),
  timeoutMs: z.null().default(null),
  params: z.object({}).strict().default({}),
  rerunOf: z.null().default(null),
  schedule: z.null().default(null),
  identity: z.null().default(null),
  isolation: z.literal('shared').default('shared'),
  resources: z.null().default(null),
  trigger: RunTrigger,
  status: z.literal('unmatched'),
  ...happenings,
});
export type UnmatchedAlert = z.infer<typeof UnmatchedAlert>;

/** One row of Table Executions: a run, or an alert no schema handles (`status: 'unmatched'`). */
export const Execution = z.discriminatedUnion('status', [Run, UnmatchedAlert]);
export type Execution = z.infer<typeof Execution>;

/** Narrows a row to a run: what a worker, a queue or an approval may act on. */
export function isRun(execution: Execution): execution is Run {
  return execution.status !== 'unmatched';
}

/**
 * A new run's record: what it is, with everything that has not happened yet at its default (null, none,
 * false). The one place a run is put together, so a field added to the contract gets its default once.
 */
export function newExecution(fields: z.input<typeof Run>): Run {
  return Run.parse(fields);
}

/** The record of an alert no schema handles, everything else at its default. */
export function newUnmatchedAlert(fields: z.input<typeof UnmatchedAlert>): UnmatchedAlert {
  return UnmatchedAlert.parse(fields);
}

export function newExecId(nowMs: number = Date.now()): string {
  return uuidv7({ msecs: nowMs });
}

/** The request time encoded in a UUIDv7 execution id. */
export function execIdTimeMs(execId: string): number {
  return Number.parseInt(execId.replaceAll('-', '').slice(0, 12), 16);
}

const MAX_MS = 9_999_999_999_999;

/**
 * Table keys that list newest first: partitions are days and row keys inverted times (then `suffix`, to
 * tell apart rows of the same millisecond), so a plain table scan returns the latest rows first.
 */
export function newestFirstKeys(ms: number, suffix: string): { partitionKey: string; rowKey: string } {
  const day = new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
  return {
    partitionKey: String(99_999_999 - Number(day)).padStart(8, '0'),
    rowKey: `${String(MAX_MS - ms).padStart(13, '0')}_${suffix}`,
  };
}

/** Table keys of an execution, derived from its id alone so a lookup needs nothing else. */
export function executionKeys(execId: string): { partitionKey: string; rowKey: string } {
  return newestFirstKeys(execIdTimeMs(execId), execId);
}

/** Wall time of a finished or running run, in ms; null before it starts. */
export function durationMs(execution: Execution, now: Date = new Date()): number | null {
  if (!execution.startedAt) return null;
  const end = execution.finishedAt ? Date.parse(execution.finishedAt) : now.getTime();
  return end - Date.parse(execution.startedAt);
}
