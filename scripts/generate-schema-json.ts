/**
 * Generates `schemas/schema.json`, the JSON Schema of a schemas file, from the zod `SchemasFile` so the two
 * cannot disagree on shape: `npx tsx scripts/generate-schema-json.ts`. The test
 * `test/unit/schemas/schema-json.test.ts` fails when the checked-in file is not what this prints now.
 *
 * zod cannot translate its refinements (duplicate ids, runbook path safety, run_args quoting) or flags, so
 * the few rules that JSON Schema can express are added here by hand. zod stays the authority: import
 * rejects what this schema lets through, and an editor using this schema only warns earlier.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SchemasFile } from '../src/core/runbook-schema.js';
import { MAX_CRON_LENGTH } from '../src/core/schedule-cron.js';

type JsonSchema = z.core.JSONSchema.JSONSchema;

export const SCHEMA_JSON_PATH = fileURLToPath(new URL('../schemas/schema.json', import.meta.url));

/**
 * A runbook name that `runbookNameProblem` (src/core/safe-path.ts) accepts: relative, `/`-separated, no
 * empty, `.` or `..` segment, no segment starting with `-`, no backslash or NUL, no drive letter.
 * Lookaheads are ECMA-262 regex, which is what JSON Schema validators and editors use.
 */
const SEGMENT = String.raw`(?!\.\.?(?:/|$))[^/\\\x00-][^/\\\x00]*`;
export const RUNBOOK_PATTERN = `^(?![A-Za-z]:)${SEGMENT}(?:/${SEGMENT})*$`;

/** zod accepts "true"/"false" in any case (the `i` flag), which JSON Schema patterns cannot carry. */
const TRUE_OR_FALSE_ANY_CASE = '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$';

/** Hover text for editors; every field of an entry must have one (the script refuses to run otherwise). */
const ENTRY_DESCRIPTIONS: Readonly<Record<string, string>> = {
  id: 'Unique across the whole file: /api/Trigger?id= finds the schema by this alone. 1-128 letters, digits, ".", "_", ":" or "-".',
  name: 'Human-readable name shown in the console and in notifications.',
  description: 'What the runbook does. Default "".',
  runbook:
    'Path of the script relative to the runbook folder (RUNBOOKS_DIR), e.g. "check_sys.sh" or "aks/restart.py". No leading "/", no ".." segments.',
  worker: 'Worker capability that runs it; selects the queue cloudo-jobs-<worker> (e.g. "Runbook").',
  oncall: 'When true, a failed run pages the on-call team. true/false or "true"/"false". Default false.',
  run_args:
    'Arguments, split like shell words ("a b" and \'a b\' are one word) but never interpreted by a shell. Default "".',
  require_approval:
    'When true, a run waits (status pending_approval, nothing queued) until people approve it; see approvers, min_approvals, allow_self_approval, reject_reason_required and approval_timeout_minutes. true/false or "true"/"false". Default false.',
  approvers:
    'Who may decide on a gated run: "role:<Entra app role value>", "group:<Entra group object id>" or "user:<sign-in name or API-token owner>", case-insensitive. Default []: any operator other than the requester.',
  min_approvals:
    'Approvals from distinct people a gated run needs before it is queued (1-20, default 1). One rejection ends it.',
  allow_self_approval:
    'When true, whoever requested a run (a person, a token owner) may approve it too. true/false or "true"/"false". Default false.',
  reject_reason_required:
    'When true, rejecting a gated run needs a reason. true/false or "true"/"false". Default true.',
  approval_timeout_minutes:
    'Minutes a gated run waits for its decision before it ends "expired" and is announced (1-10080, default 60).',
  timeout_seconds: 'Time limit of one run in seconds (1-86400, default 900); the process group is killed past it.',
  alert_rules:
    'Alert rule names this schema handles when a webhook names no ?id= (its own id always matches), case-insensitive. Default [].',
  dedupe_window_minutes:
    'Repeated deliveries of one alert and condition within this many minutes start one run (0-1440, 0 = every delivery runs). Default 10.',
  on_resolved:
    'What a Resolved alert does: "run" the runbook again with MONITOR_CONDITION=Resolved (default), "skip" it, or "cancel" a still-queued run of the same alert.',
  aks_credentials:
    'Whether a run gets credentials for the AKS cluster its alert is about (its resource is, or is below, a managedClusters resource, or its kubernetes.cluster names one), fetched with the workers\' managed identity into a KUBECONFIG of the run\'s own: "auto" (default) when that cluster is one of the deployment\'s AKS integration (Terraform aks_integration, setting CLOUDO_AKS_CLUSTERS), as the original ClouDO logged AKS alerts\' runbooks in; true always; false never. true/false, "true"/"false" or "auto".',
  identity:
    "The Azure identity its runs act as (workload identity federation, ClouDO as the OIDC issuer): a user-assigned identity's client id (GUID), or a name of the deployment's runbook_identities (Terraform; a-z, 0-9, \"-\"). The identity must trust the subject cloudo:schema:<partition_key>:<id>. Unset: the deployment's shared default runbook identity. Never the workers' identity.",
  isolation:
    'Where its runs run: "shared" (default) as a process on a worker that runs others too, or "container": each run in a fresh Azure Container Instances container group of its own (the worker image in one-shot mode, the run\'s identity attached, no public IP), for runbooks that install packages, need more CPU or memory, or are trusted less.',
  resources:
    'CPU and memory of each run\'s container group, isolation "container" only: {cpu, memory_gb}, each a multiple of 0.1, at most 4 CPU and 16 GB. Default {cpu: 1, memory_gb: 1.5}.',
  team: 'Team that owns the runbook: routes its notifications (e.g. Slack "#team-{team}") when the trigger URL names no team. Optional.',
  tags: 'Labels for people, shown in the console: a list of texts (or, as the original console saved them, one comma-separated text). Default none.',
  parameters:
    'Typed values a manual run may pass as {"params": {...}}: [{name, type: string|number|boolean|enum, required, default, values, pattern, description}]. Each reaches the runbook as the environment variable CLOUDO_PARAM_<NAME>, never through a shell. Default none.',
  concurrency:
    'Alert runs of this schema on one resource: "parallel" (default), "queue" (one at a time, a run waits for the previous one) or "skip" a new alert while a run is queued or running.',
  schedules:
    'Runs started by the clock: [{id, cron, timezone, params, enabled, missed, description}]. Each tick fires one run, exactly once however many app instances run, through the same approval, concurrency and on-call rules as any run. Default none.',
};

/** Hover text for the fields of one schedule; every field must have one. */
const SCHEDULE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  id: 'Unique across the whole file (the admin API and "cloudo schedules" name it by this). 1-128 letters, digits, ".", "_", ":" or "-".',
  cron: 'When it fires: 5 fields (minute hour day month weekday) or 6 with seconds first; names (MON, JAN), ranges, lists and steps (*/15, 1-5/2), or @yearly, @monthly, @weekly, @daily, @hourly. A day and a weekday both given match either.',
  timezone:
    'IANA time zone the cron\'s wall-clock times are read in, DST-aware (e.g. "Europe/Rome"): a fixed time skipped by spring-forward runs once right after the gap, one repeated by fall-back runs once. Default "UTC".',
  params: "Values of the schema's typed parameters each run gets, checked against them on import. Default {}.",
  enabled:
    'Whether it fires. Default true. An admin\'s "cloudo schedules enable|disable" overrides this and survives re-imports.',
  missed:
    'Ticks missed while nothing could fire them (an outage): "skip" (default) fires none of them, "run-once" fires one catch-up run for the latest. Never more than one.',
  description: 'What it is for, shown in the console. Default "".',
};

export function generateSchemaJson(): JsonSchema {
  const schema = z.toJSONSchema(SchemasFile, { io: 'input', target: 'draft-2020-12' });
  const partition = child(schema, 'items');
  const partitionProps = child(partition, 'properties');
  child(partitionProps, 'partition_key').description =
    'Table partition the schemas below are filed under (e.g. "generic", "infra", "alert").';
  const entity = child(partitionProps, 'entity');
  entity.description = 'The runbook schemas of this partition.';
  const entryProps = child(child(entity, 'items'), 'properties');

  for (const [field, prop] of Object.entries(entryProps)) {
    const description = ENTRY_DESCRIPTIONS[field];
    if (!description) throw new Error(`schema field "${field}" has no description: add it to ENTRY_DESCRIPTIONS`);
    (prop as JsonSchema).description = description;
  }

  const scheduleProps = child(child(child(entryProps, 'schedules'), 'items'), 'properties');
  for (const [field, prop] of Object.entries(scheduleProps)) {
    const description = SCHEDULE_DESCRIPTIONS[field];
    if (!description) throw new Error(`schedule field "${field}" has no description: add it to SCHEDULE_DESCRIPTIONS`);
    (prop as JsonSchema).description = description;
  }

  Object.assign(child(entryProps, 'runbook'), { minLength: 1, maxLength: 512, pattern: RUNBOOK_PATTERN });
  Object.assign(child(scheduleProps, 'cron'), { minLength: 1, maxLength: MAX_CRON_LENGTH });
  const booleanDefaults = {
    oncall: false,
    require_approval: false,
    allow_self_approval: false,
    reject_reason_required: true,
  };
  for (const [field, value] of Object.entries(booleanDefaults)) {
    const prop = child(entryProps, field);
    // the default sits on a transform, which zod leaves out of the input schema
    prop.default = value;
    for (const branch of prop.anyOf ?? []) {
      if (typeof branch === 'object' && branch.type === 'string') branch.pattern = TRUE_OR_FALSE_ANY_CASE;
    }
  }

  return {
    $schema: schema.$schema,
    $id: 'urn:cloudo:schemas-file',
    title: 'ClouDO schemas file',
    description:
      'Runbook schemas grouped by partition, imported with "cloudo schemas import <file>". Generated from ' +
      'src/core/runbook-schema.ts by scripts/generate-schema-json.ts; do not edit by hand. Import also ' +
      'rejects duplicate ids and run_args with unbalanced quotes, which this schema cannot express.',
    ...withoutKey(schema, '$schema'),
  };
}

/** The file's exact text: what the drift test compares byte for byte. */
export function renderSchemaJson(): string {
  return `${JSON.stringify(generateSchemaJson(), null, 2)}\n`;
}

function child(schema: JsonSchema, key: 'items' | 'properties'): JsonSchema;
function child(schema: JsonSchema | Record<string, unknown>, key: string): JsonSchema;
function child(schema: JsonSchema | Record<string, unknown>, key: string): JsonSchema {
  const value = (schema as Record<string, unknown>)[key];
  // zod's output shape is what this script edits; a zod upgrade that changes it must fail loudly
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`generated JSON Schema has no object at "${key}": update scripts/generate-schema-json.ts`);
  }
  return value as JsonSchema;
}

function withoutKey(schema: JsonSchema, key: string): JsonSchema {
  const { [key]: _dropped, ...rest } = schema;
  return rest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_JSON_PATH, renderSchemaJson());
  console.log(`wrote ${SCHEMA_JSON_PATH}`);
}
