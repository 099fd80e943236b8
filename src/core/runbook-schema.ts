import { z } from 'zod';
import { Approver, DEFAULT_APPROVAL_TIMEOUT_MINUTES, MAX_APPROVAL_TIMEOUT_MINUTES } from './approval-gate.js';
import { ArgvSyntaxError, splitArgs } from './argv.js';
import { ContainerResources, isolationProblems, RunResources } from './isolation.js';
import { TABLE_KEY_PATTERN, WORKER_NAME_PATTERN } from './resource-names.js';
import { RunbookParameter, RunbookParameters } from './run-parameters.js';
import { RunbookIdentityRef } from './runbook-identity.js';
import { runbookNameProblem } from './safe-path.js';
import type { ScheduleDeclaration } from './schedule.js';
import { ScheduleEntry, scheduleParamsProblems } from './schedule.js';
import { AksCredentials, Booleanish, Tags } from './schema-values.js';

const KEY_PATTERN = TABLE_KEY_PATTERN;

/** A team as `/api/Trigger/{team}` and a schema's `team` name it. */
export const TeamName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, "_", "." or "-"');

/** A schema id as it appears in `?id=` and in the file. */
export const SchemaId = z.string().regex(KEY_PATTERN, 'must be 1-128 letters, digits, ".", "_", ":" or "-"');

/**
 * Fields the original ClouDO's files carry that mean nothing here (copies of the table keys, an alert's
 * severity or condition): accepted, dropped, and reported as warnings with their JSON path.
 */
const ORIGINAL_IGNORED_FIELDS = ['severity', 'monitor_condition', 'Id', 'PartitionKey', 'RowKey'] as const;

/** Default window in which repeated deliveries of one alert start no second run. */
export const DEFAULT_DEDUPE_WINDOW_MINUTES = 10;

/** Default per-run time limit when a schema sets none: 15 minutes. */
export const DEFAULT_TIMEOUT_SECONDS = 15 * 60;

/** One runbook mapping as written in a schemas file (snake_case, as in the original project). */
export const RunbookSchemaEntry = z
  .object({
    /** Unique across the whole file: `/api/Trigger?id=` looks a schema up by this alone. */
    id: SchemaId,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).default(''),
    /** Path of the script relative to the runbook folder (`RUNBOOKS_DIR`, later the Git repo). */
    runbook: z.string().superRefine((value, ctx) => {
      const problem = runbookNameProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `runbook "${value}" ${problem}` });
    }),
    /** Worker capability that runs it; selects the queue `cloudo-jobs-<worker>`. */
    worker: z.string().regex(WORKER_NAME_PATTERN, 'must be 1-30 letters, digits, ".", "_" or "-"'),
    /** When true, a failure pages the on-call team. */
    oncall: Booleanish.default(false),
    /** Arguments, split like shell words but never interpreted by a shell. */
    run_args: z
      .string()
      .max(4096)
      .default('')
      .superRefine((value, ctx) => {
        try {
          splitArgs(value);
        } catch (err) {
          if (!(err instanceof ArgvSyntaxError)) throw err;
          ctx.addIssue({ code: 'custom', message: err.message });
        }
      }),
    /** When true, a run waits (`pending_approval`, nothing queued) until people approve it. */
    require_approval: Booleanish.default(false),
    /**
     * Who may decide on a gated run: `role:<Entra app role>`, `group:<Entra group object id>`,
     * `user:<sign-in name or API-token owner>`. Default none: any operator other than the requester.
     */
    approvers: z.array(Approver).max(50).default([]),
    /** Approvals from distinct people a gated run needs before it is queued (N of M). Default 1. */
    min_approvals: z.coerce.number().int().min(1).max(20).default(1),
    /** Whether whoever requested a run may approve it themselves. Default false. */
    allow_self_approval: Booleanish.default(false),
    /** Whether rejecting a gated run needs a reason. Default true. */
    reject_reason_required: Booleanish.default(true),
    /** Minutes a gated run waits for its decision before it ends `expired` (default 60, at most a week). */
    approval_timeout_minutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_APPROVAL_TIMEOUT_MINUTES)
      .default(DEFAULT_APPROVAL_TIMEOUT_MINUTES),
    /** Time limit of one run in seconds (default 900); the process group is killed past it. */
    timeout_seconds: z.coerce.number().int().min(1).max(86_400).default(DEFAULT_TIMEOUT_SECONDS),
    /** Alert rule names this schema handles when a webhook names no `?id=` (besides its own id). */
    alert_rules: z.array(z.string().min(1).max(256)).max(100).default([]),
    /** Repeated deliveries of one alert and condition within this many minutes start one run (0: every time). */
    dedupe_window_minutes: z.coerce.number().int().min(0).max(1440).default(DEFAULT_DEDUPE_WINDOW_MINUTES),
    /** What a Resolved alert does: run the runbook again (default), skip, or cancel a still-queued run. */
    on_resolved: z.enum(['run', 'skip', 'cancel']).default('run'),
    /**
     * Alert runs of this schema on one resource: in `parallel` (default), one at a time (`queue`: a run
     * waits for the previous one), or `skip` a new alert while a run is queued or running.
     */
    concurrency: z.enum(['parallel', 'queue', 'skip']).default('parallel'),
    /**
     * Fetch per-run credentials of the AKS cluster the alert names (managed identity), as KUBECONFIG:
     * `true` always, `false` never, `auto` (default) when that cluster is in CLOUDO_AKS_CLUSTERS.
     */
    aks_credentials: AksCredentials.default('auto'),
    /** Team that owns it: routes its notifications (e.g. Slack `#team-{team}`) when the trigger names none. */
    team: TeamName.optional(),
    /**
     * The Azure identity its runs act as: a user-assigned identity's client id, or a name of the deployment's
     * `runbook_identities`. Unset: the deployment's shared default runbook identity. See README "Runbook identities".
     */
    identity: RunbookIdentityRef.optional(),
    /**
     * Where its runs run: on a shared worker (default), or each in a fresh container group of its own (Azure
     * Container Instances), for runbooks that install packages, need more CPU or memory, or are trusted less.
     */
    isolation: z.enum(['shared', 'container']).default('shared'),
    /** CPU and memory of each run's container group (`isolation: container` only); default 1 CPU, 1.5 GB. */
    resources: ContainerResources.optional(),
    /** Typed values a manual run may pass (`{"params": {...}}`); each reaches the runbook as `CLOUDO_PARAM_<NAME>`. */
    parameters: RunbookParameters.default([]),
    /** Labels for people, shown in the console. */
    tags: Tags.default([]),
    /** Runs started by the clock (cron, in a time zone); ids unique across the file. See README "Schedules". */
    schedules: z.array(ScheduleEntry).max(50).default([]),
  })
  .strict()
  .superRefine((entry, ctx) => {
    // a schedule's values are checked now, not at 3 a.m. when its first tick could not start a run
    entry.schedules.forEach((schedule, i) => {
      for (const problem of scheduleParamsProblems(schedule.params, entry.parameters)) {
        ctx.addIssue({ code: 'custom', path: ['schedules', i, 'params'], message: problem });
      }
    });
    for (const problem of isolationProblems(entry)) ctx.addIssue({ code: 'custom', ...problem });
    // people named one by one can give at most one approval each
    const onlyPeople = entry.approvers.length > 0 && entry.approvers.every((a) => a.startsWith('user:'));
    if (onlyPeople && entry.min_approvals > new Set(entry.approvers).size) {
      ctx.addIssue({
        code: 'custom',
        path: ['min_approvals'],
        message: `is ${entry.min_approvals} but approvers names only ${new Set(entry.approvers).size} people: no run could ever be approved`,
      });
    }
  });

/** A schema as ClouDO stores and uses it: the entry plus the partition it was filed under. */
export const RunbookSchema = z.object({
  partitionKey: z.string().regex(KEY_PATTERN),
  id: z.string(),
  name: z.string(),
  description: z.string().default(''),
  runbook: z.string(),
  worker: z.string(),
  oncall: z.boolean().default(false),
  runArgs: z.string().default(''),
  requireApproval: z.boolean().default(false),
  /** Approval policy of gated runs (see the entry's fields of the same names). */
  approvers: z.array(z.string()).default([]),
  minApprovals: z.number().int().min(1).default(1),
  allowSelfApproval: z.boolean().default(false),
  rejectReasonRequired: z.boolean().default(true),
  approvalTimeoutMinutes: z.number().int().min(1).default(DEFAULT_APPROVAL_TIMEOUT_MINUTES),
  timeoutSeconds: z.number().int().positive(),
  alertRules: z.array(z.string()).default([]),
  dedupeWindowMinutes: z.number().int().nonnegative().default(DEFAULT_DEDUPE_WINDOW_MINUTES),
  onResolved: z.enum(['run', 'skip', 'cancel']).default('run'),
  concurrency: z.enum(['parallel', 'queue', 'skip']).default('parallel'),
  /** true, false or `auto` (see the entry's `aks_credentials`); a row stored before `auto` existed keeps its boolean. */
  aksCredentials: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  team: z.string().nullable().default(null),
  /** The entry's `identity`; null (a row stored before it existed, too): the default runbook identity. */
  identity: z.string().nullable().default(null),
  /** The entry's `isolation`; a row stored before it existed runs shared. */
  isolation: z.enum(['shared', 'container']).default('shared'),
  /** The entry's `resources` for container runs (null: the defaults, or a shared schema). */
  resources: RunResources.nullable().default(null),
  parameters: z.array(RunbookParameter).default([]),
  tags: z.array(z.string()).default([]),
});
export type RunbookSchema = z.infer<typeof RunbookSchema>;

export const SchemasFile = z
  .array(
    z
      .object({
        partition_key: z.string().regex(KEY_PATTERN, 'must be 1-128 letters, digits, ".", "_", ":" or "-"'),
        entity: z.array(RunbookSchemaEntry),
      })
      .strict(),
  )
  .superRefine((partitions, ctx) => {
    const seen = new Map<string, string>();
    const seenSchedules = new Map<string, string>();
    partitions.forEach((partition, p) => {
      partition.entity.forEach((entry, e) => {
        const first = seen.get(entry.id);
        if (first) {
          ctx.addIssue({
            code: 'custom',
            path: [p, 'entity', e, 'id'],
            message: `duplicate id "${entry.id}" (first defined at ${first})`,
          });
        } else seen.set(entry.id, `[${p}].entity[${e}].id`);
        entry.schedules.forEach((schedule, s) => {
          const firstSchedule = seenSchedules.get(schedule.id);
          if (firstSchedule) {
            ctx.addIssue({
              code: 'custom',
              path: [p, 'entity', e, 'schedules', s, 'id'],
              message: `duplicate schedule id "${schedule.id}" (first defined at ${firstSchedule})`,
            });
          } else seenSchedules.set(schedule.id, `[${p}].entity[${e}].schedules[${s}].id`);
        });
      });
    });
  });
export type SchemasFile = z.output<typeof SchemasFile>;

export interface SchemaFileProblem {
  /** JSON path of the offending value, e.g. `[0].entity[1].runbook`. */
  readonly path: string;
  readonly message: string;
}

export type ParseSchemasResult =
  | {
      readonly ok: true;
      readonly schemas: RunbookSchema[];
      /** The schedules of those schemas, in file order. */
      readonly schedules: ScheduleDeclaration[];
      /** What was accepted but ignored (the original's fields), by JSON path. */
      readonly warnings: SchemaFileProblem[];
    }
  | { readonly ok: false; readonly problems: SchemaFileProblem[] };

/** An entry left out of an import because of its errors. */
export interface SkippedEntry {
  /** JSON path of the entry, e.g. `[0].entity[2]`. */
  readonly path: string;
  /** Its `id` when it has a readable one, so people can tell which schema did not make it. */
  readonly id: string | null;
}

/** A schemas file read entry by entry: one broken entry costs only itself. */
export interface SchemaEntriesResult {
  /** The valid entries, in file order. */
  readonly schemas: RunbookSchema[];
  /** The schedules of the valid entries, in file order (an entry with a broken schedule is not valid). */
  readonly schedules: ScheduleDeclaration[];
  /** Every error by JSON path; a path of `''` means the file as a whole, and then nothing is valid. */
  readonly errors: SchemaFileProblem[];
  /** The entries the errors cost, in file order. */
  readonly skipped: SkippedEntry[];
  /** What was accepted but ignored (the original's fields), by JSON path. */
  readonly warnings: SchemaFileProblem[];
}

/** A partition whose entries are checked one by one, so that the partition's own shape is all this says. */
const SchemasPartition = z
  .object({
    partition_key: z.string().regex(KEY_PATTERN, 'must be 1-128 letters, digits, ".", "_", ":" or "-"'),
    entity: z.array(z.unknown()),
  })
  .strict();

/** Parses the text of a schemas file as a whole: any error refuses it, every problem naming its JSON path. */
export function parseSchemasFile(text: string): ParseSchemasResult {
  const { schemas, schedules, errors, warnings } = parseSchemaEntries(text);
  return errors.length === 0 ? { ok: true, schemas, schedules, warnings } : { ok: false, problems: errors };
}

/**
 * Parses the text of a schemas file entry by entry: the valid entries, and each error with its JSON path.
 * A partition with a wrong `partition_key` costs all its entries; an id already used by an earlier entry
 * (valid or not) is an error of the later one, since which of the two was meant cannot be known.
 */
export function parseSchemaEntries(text: string): SchemaEntriesResult {
  const errors: SchemaFileProblem[] = [];
  const fileProblem = (message: string) => ({
    schemas: [],
    schedules: [],
    errors: [{ path: '', message }],
    skipped: [],
    warnings: [],
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fileProblem(`not valid JSON: ${(err as Error).message}`);
  }
  const partitions = z.array(z.unknown()).safeParse(json);
  if (!partitions.success) return fileProblem(partitions.error.issues[0]?.message ?? 'expected an array');
  const warnings = dropOriginalFields(partitions.data);
  const schemas: RunbookSchema[] = [];
  const schedules: ScheduleDeclaration[] = [];
  const skipped: SkippedEntry[] = [];
  const firstUse = new Map<string, string>();
  const firstScheduleUse = new Map<string, string>();
  const addIssues = (prefix: PropertyKey[], issues: readonly z.core.$ZodIssue[]) => {
    for (const issue of issues)
      errors.push({ path: formatJsonPath([...prefix, ...issue.path]), message: issue.message });
  };
  partitions.data.forEach((raw, p) => {
    const partition = SchemasPartition.safeParse(raw);
    if (!partition.success) addIssues([p], partition.error.issues);
    const entities = (raw as { entity?: unknown } | null)?.entity;
    if (!Array.isArray(entities)) return;
    entities.forEach((rawEntry: unknown, e) => {
      const path = `[${p}].entity[${e}]`;
      const entry = RunbookSchemaEntry.safeParse(rawEntry);
      if (!entry.success) addIssues([p, 'entity', e], entry.error.issues);
      const rawId = (rawEntry as { id?: unknown } | null)?.id;
      const id = typeof rawId === 'string' ? rawId : null;
      const first = id === null ? undefined : firstUse.get(id);
      if (first) {
        errors.push({ path: `${path}.id`, message: `duplicate id "${id}" (first defined at ${first})` });
      } else if (id !== null) firstUse.set(id, `${path}.id`);
      const scheduleClash = duplicateSchedules(rawEntry, path, firstScheduleUse);
      errors.push(...scheduleClash);
      if (entry.success && partition.success && !first && scheduleClash.length === 0) {
        schemas.push(fromSchemaEntry(partition.data.partition_key, entry.data));
        for (const schedule of entry.data.schedules) schedules.push({ schemaId: entry.data.id, entry: schedule });
      } else skipped.push({ path, id });
    });
  });
  return { schemas, schedules, errors, skipped, warnings };
}

/**
 * The schedule ids of an entry (valid or not) that an earlier entry already used, as errors of this entry;
 * notes its own first uses. Schedule ids are unique across the file: the admin API names one by id alone.
 */
function duplicateSchedules(rawEntry: unknown, path: string, firstUse: Map<string, string>): SchemaFileProblem[] {
  const list = (rawEntry as { schedules?: unknown } | null)?.schedules;
  if (!Array.isArray(list)) return [];
  const errors: SchemaFileProblem[] = [];
  list.forEach((raw: unknown, s) => {
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const first = firstUse.get(id);
    if (first) {
      errors.push({
        path: `${path}.schedules[${s}].id`,
        message: `duplicate schedule id "${id}" (first defined at ${first})`,
      });
    } else firstUse.set(id, `${path}.schedules[${s}].id`);
  });
  return errors;
}

/** Removes the original's ignored fields from the file's entries (in place), one warning for each. */
function dropOriginalFields(json: readonly unknown[]): SchemaFileProblem[] {
  const warnings: SchemaFileProblem[] = [];
  json.forEach((partition: unknown, p) => {
    const entities = (partition as { entity?: unknown } | null)?.entity;
    if (!Array.isArray(entities)) return;
    entities.forEach((entry: unknown, e) => {
      if (typeof entry !== 'object' || entry === null) return;
      for (const field of ORIGINAL_IGNORED_FIELDS) {
        if (!(field in entry)) continue;
        delete (entry as Record<string, unknown>)[field];
        warnings.push({
          path: `[${p}].entity[${e}].${field}`,
          message: 'accepted from the original ClouDO and ignored',
        });
      }
    });
  });
  return warnings;
}

const camelCase = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The schema a file's entry stands for: the same fields, camelCased (`run_args` is `runArgs`). */
export function fromSchemaEntry(partitionKey: string, entry: z.output<typeof RunbookSchemaEntry>): RunbookSchema {
  // schedules are rows of their own (Table Schedules), not fields of the schema
  const { schedules: _schedules, ...fields } = entry;
  const { resources, ...rest } = fields;
  return RunbookSchema.parse({
    partitionKey,
    ...Object.fromEntries(Object.entries(rest).map(([key, value]) => [camelCase(key), value])),
    resources: resources ? { cpu: resources.cpu, memoryGb: resources.memory_gb } : null,
  });
}

/** `path: message` lines, the path `(file)` for a problem of the whole file. */
export function formatSchemaProblems(problems: readonly SchemaFileProblem[]): string[] {
  return problems.map((p) => `${p.path || '(file)'}: ${p.message}`);
}

export function formatJsonPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

/** Whether a schema handles alerts of this rule when the webhook names no schema: its id or one of its alert_rules, case-insensitively. */
export function handlesAlertRule(schema: RunbookSchema, rule: string): boolean {
  const wanted = rule.toLowerCase();
  return schema.id.toLowerCase() === wanted || schema.alertRules.some((r) => r.toLowerCase() === wanted);
}
