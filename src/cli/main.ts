/**
 * The `cloudo` command.
 *
 *   cloudo schemas validate FILE          check a schemas file; every problem names its JSON path
 *   cloudo schemas import FILE [--prune] [--strict]   upsert it into the schema registry; reports what
 *                                         changed; entries with errors are skipped (--strict: whole file)
 *   cloudo schemas list [--worker W] [--team T] [--text X]   the schemas the app serves, through its API
 *   cloudo migrate FILE|CONNECTION [--table T] [-o FILE]   the original ClouDO's schemas (its exported file or
 *                                         rows, or its RunbookSchemas table) as a schemas file for this one
 *   cloudo tokens create --role R --owner O [--expires-days N] [--description D]
 *   cloudo tokens list
 *   cloudo tokens revoke ID
 *   cloudo alert parse FILE|-              what ClouDO reads from an alert payload (- reads stdin)
 *   cloudo approvals list [--all]          runs waiting for your approval (--all: every waiting run)
 *   cloudo approve EXEC_ID [--reason R]    approve a gated run; the last approval needed queues it
 *   cloudo reject EXEC_ID --reason R       reject a gated run: it never runs
 *   cloudo keys fingerprints               name Functions keys for the audit log: reads
 *                                          `az functionapp keys list -o json` on stdin
 *   cloudo run SCHEMA [--param k=v] [-f]   start a run; --follow shows its live log, exits with its outcome
 *   cloudo rerun EXEC_ID [-f]              run it again: same schema, arguments, parameters and alert
 *   cloudo logs EXEC_ID [-f]               its log; --follow until the run ends
 *   cloudo executions [--status S] [--schema ID] [--limit N]
 *   cloudo cancel EXEC_ID
 *   cloudo schedules list                  every schedule: cron, zone, enabled (by whom), next fire, last run
 *   cloudo schedules enable|disable ID     whether it fires, for schedules of the file too (kept on re-import)
 *   cloudo schedules reset ID              clear that choice: it follows its declaration again
 *   cloudo schedules next ID [--count N]   its next fire times in its own zone and in UTC
 *
 * schemas and tokens talk to storage: AzureWebJobsStorage (or its identity-based settings); when unset,
 * the local stack started by `npm start` (.cloudo/stack.json). Whoever holds those credentials is an admin.
 * Approvals are people's decisions, authenticated and checked against the schema's policy by the app, so
 * they (and schemas list, a viewer's read, and schedules, an admin's change) go through the HTTP API:
 * --url, else CLOUDO_URL, else the local stack; CLOUDO_TOKEN is the API token.
 */
import { parseArgs } from 'node:util';
import { SettingsError } from '../core/setting-values.js';
import { loadStorageSettings } from '../core/storage-settings.js';
import { readLocalStackEnv, readRunningStack } from '../local/stack-file.js';
import { parseAlertPayload } from './alert-command.js';
import { connectApi } from './api-client.js';
import { decideApproval, listApprovals } from './approvals-command.js';
import { loadCliSettings } from './cli-settings.js';
import { printKeyFingerprints } from './keys-command.js';
import { migrateSchemas, ORIGINAL_SCHEMAS_TABLE } from './migrate-command.js';
import { cancelRun, listRuns, rerunRun, showLog, startRun } from './runs-command.js';
import { listSchedules, nextFires, resetSchedule, setScheduleEnabled } from './schedules-command.js';
import type { CommandOutput } from './schemas-command.js';
import { importSchemas, validateSchemas } from './schemas-command.js';
import { listSchemas } from './schemas-list-command.js';
import { createToken, listTokens, revokeToken } from './tokens-command.js';

const USAGE = `usage:
  cloudo schemas validate FILE
  cloudo schemas import FILE [--prune] [--strict]
  cloudo schemas list [--worker W] [--team T] [--text X] [--url URL]
  cloudo migrate FILE|-|CONNECTION_STRING [--table RunbookSchemas] [-o FILE]
  cloudo tokens create --role viewer|operator|admin --owner NAME [--expires-days N] [--description TEXT]
  cloudo tokens list
  cloudo tokens revoke ID
  cloudo alert parse FILE|-
  cloudo approvals list [--all] [--url URL]
  cloudo approve EXEC_ID [--reason TEXT] [--url URL]
  cloudo reject EXEC_ID --reason TEXT [--url URL]
  az functionapp keys list -g RG -n APP -o json | cloudo keys fingerprints
  cloudo run SCHEMA [--param NAME=VALUE ...] [--follow] [--url URL]
  cloudo rerun EXEC_ID [--follow] [--url URL]
  cloudo logs EXEC_ID [--follow] [--url URL]
  cloudo executions [--status STATUS] [--schema ID] [--limit N] [--url URL]
  cloudo cancel EXEC_ID [--url URL]
  cloudo schedules list [--url URL]
  cloudo schedules enable|disable ID [--url URL]
  cloudo schedules reset ID [--url URL]
  cloudo schedules next ID [--count N] [--url URL]

schemas list, approvals, approve, reject, run, rerun, logs, executions, cancel and schedules talk to
ClouDO at --url, else CLOUDO_URL, else the local stack (npm start), with the API token in CLOUDO_TOKEN.
With --follow, the exit code is the run's outcome: 0 succeeded, 1 failed, 2 anything else. schedules
enable, disable and reset need an admin's token; enable and disable hold for schedules of the schemas file
across imports until reset.

migrate reads the original ClouDO's schemas (a schemas file, a JSON export of its table's rows, or the
table itself given a storage connection string) and writes a schemas file (stdout unless -o), listing on
stderr every field it changed and why; it exits 1 when some schema could not be migrated.

schemas validate and import exit 1 when any entry has an error; import still imports the valid entries
(and says which it skipped), unless --strict, which refuses the whole file.`;

const settings = loadCliSettings(process.env);

async function storageSettings() {
  const env = process.env;
  return loadStorageSettings(settings.namesStorage ? env : { ...(await readLocalStackEnv(settings.stateDir)), ...env });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

async function run(argv: string[]): Promise<CommandOutput> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      prune: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      table: { type: 'string', default: ORIGINAL_SCHEMAS_TABLE },
      output: { type: 'string', short: 'o' },
      role: { type: 'string' },
      owner: { type: 'string' },
      'expires-days': { type: 'string' },
      description: { type: 'string' },
      all: { type: 'boolean', default: false },
      reason: { type: 'string' },
      worker: { type: 'string' },
      team: { type: 'string' },
      text: { type: 'string' },
      url: { type: 'string' },
      param: { type: 'string', multiple: true, default: [] },
      follow: { type: 'boolean', short: 'f', default: false },
      status: { type: 'string' },
      schema: { type: 'string' },
      limit: { type: 'string' },
      count: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, command, arg, ...extra] = positionals;
  const usage = { exitCode: 2, lines: [USAGE] };
  if (values.help) return { exitCode: 0, lines: [USAGE] };
  if (extra.length > 0) return usage;
  if (group === 'schemas' && arg) {
    if (command === 'validate') return validateSchemas(arg);
    if (command === 'import')
      return importSchemas(arg, storageSettings, { prune: values.prune, strict: values.strict });
  }
  if (group === 'migrate' && command && !arg) {
    const io = {
      stdout: (text: string) => process.stdout.write(text),
      stderr: (text: string) => process.stderr.write(text),
      readStdin,
    };
    return migrateSchemas(command, { table: values.table, output: values.output }, io);
  }
  if (group === 'alert' && command === 'parse' && arg) return parseAlertPayload(arg, readStdin);
  if (group === 'keys' && command === 'fingerprints' && !arg) {
    // a terminal would sit waiting for keys someone meant to pipe in
    if (process.stdin.isTTY) return usage;
    return printKeyFingerprints(readStdin);
  }
  if (group === 'tokens') {
    if (command === 'create' && !arg) {
      return createToken(storageSettings, {
        role: values.role,
        owner: values.owner,
        expiresDays: values['expires-days'],
        description: values.description,
      });
    }
    if (command === 'list' && !arg) return listTokens(storageSettings);
    if (command === 'revoke' && arg) return revokeToken(storageSettings, arg);
  }
  const connect = () => connectApi(values.url, settings.api, () => readRunningStack(settings.stateDir));
  if (group === 'schemas' && command === 'list' && !arg) {
    return listSchemas(connect, { worker: values.worker, team: values.team, text: values.text });
  }
  if (group === 'approvals' && command === 'list' && !arg) return listApprovals(connect, { all: values.all });
  if ((group === 'approve' || group === 'reject') && command && !arg) {
    return decideApproval(connect, { execId: command, decision: group, reason: values.reason });
  }
  if (group === 'schedules') {
    if (command === 'list' && !arg) return listSchedules(connect);
    if ((command === 'enable' || command === 'disable') && arg) {
      return setScheduleEnabled(connect, arg, command === 'enable');
    }
    if (command === 'reset' && arg) return resetSchedule(connect, arg);
    if (command === 'next' && arg) return nextFires(connect, arg, values.count);
  }
  const write = (text: string) => process.stdout.write(text);
  const follow = values.follow;
  if (group === 'run' && command && !arg)
    return startRun(connect, { schemaId: command, params: values.param, follow }, write);
  if (group === 'rerun' && command && !arg) return rerunRun(connect, { execId: command, follow }, write);
  if (group === 'logs' && command && !arg) return showLog(connect, { execId: command, follow }, write);
  if (group === 'cancel' && command && !arg) return cancelRun(connect, { execId: command });
  if (group === 'executions' && !command) {
    return listRuns(connect, { status: values.status, schema: values.schema, limit: values.limit });
  }
  return usage;
}

run(process.argv.slice(2)).then(
  ({ exitCode, lines }) => {
    // a command that wrote its output as it came (a log) has no lines left to print
    if (lines.length > 0) (exitCode === 0 ? console.log : console.error)(lines.join('\n'));
    process.exitCode = exitCode;
  },
  (err: unknown) => {
    console.error(err instanceof SettingsError || err instanceof TypeError ? `cloudo: ${err.message}` : err);
    process.exitCode = err instanceof TypeError ? 2 : 1;
  },
);
