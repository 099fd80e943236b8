/**
 * `npm start`: the whole ClouDO on one machine — Azurite (data under .cloudo/), the functions on :7071,
 * one worker per capability, the sample schemas imported. Ctrl-C stops everything.
 *
 *   --in-memory       keep storage in memory (nothing kept under .cloudo/)
 *   --secure          enforce keys, roles and tokens as production does (also CLOUDO_LOCAL_AUTH=on)
 *   CLOUDO_STATE_DIR  where Azurite data and stack.json live (default .cloudo)
 *   PORT              HTTP port (default 7071)
 *   CLOUDO_AZURITE_BLOB_PORT / _QUEUE_PORT / _TABLE_PORT   Azurite ports (default: free ones)
 *   CLOUDO_SCHEMAS_FILE, RUNBOOKS_DIR                      what to import and run
 *   CLOUDO_LOCAL_TIMER_INTERVAL_MS   run the timer functions this often (default: their own schedule)
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { LocalKeys } from './local-keys.js';
import type { LocalStack } from './stack.js';
import { startLocalStack } from './stack.js';
import { StackFileWriter, stateDir } from './stack-file.js';
import { localTimerIntervalMs } from './timer-runner.js';

const Port = z.coerce.number().int().min(0).max(65_535);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'in-memory': { type: 'boolean', default: false }, secure: { type: 'boolean', default: false } },
  });
  const env = process.env;
  const port = (name: string, fallback: number) => {
    const parsed = Port.safeParse(env[name] ?? fallback);
    if (!parsed.success) throw new Error(`${name}="${env[name]}" is not a port number (0-65535)`);
    return parsed.data;
  };
  const inMemory = values['in-memory'] || env.CLOUDO_AZURITE_IN_MEMORY === 'true';
  const secure = values.secure || env.CLOUDO_LOCAL_AUTH === 'on';
  const startedAt = Date.now();
  const stackFile = new StackFileWriter();
  // set once started; a worker may restart before that, and the first write lists its pid anyway
  let started: LocalStack | undefined;
  const stackFileOf = (running: LocalStack) => ({
    url: running.url,
    pid: process.pid,
    connectionString: running.azurite.connectionString,
    namespace: env.CLOUDO_STORAGE_NAMESPACE ?? '',
    childPids: running.childPids(),
  });
  const stack = await startLocalStack({
    port: port('PORT', 7071),
    azuriteLocation: inMemory ? null : path.join(stateDir(env), 'azurite'),
    azuritePorts: {
      blob: port('CLOUDO_AZURITE_BLOB_PORT', 0),
      queue: port('CLOUDO_AZURITE_QUEUE_PORT', 0),
      table: port('CLOUDO_AZURITE_TABLE_PORT', 0),
    },
    schemasFile: env.CLOUDO_SCHEMAS_FILE ?? 'schemas/schemas.json',
    runbooksDir: env.RUNBOOKS_DIR ?? 'runbooks',
    namespace: env.CLOUDO_STORAGE_NAMESPACE ?? '',
    secure,
    stateDir: stateDir(env),
    timerIntervalMs: localTimerIntervalMs(env),
    env,
    log: (source, line) => console.log(`[${source}] ${line}`),
    // a restarted worker has a new pid: stack.json lists the processes that run now
    onChildPidsChange: () => {
      if (!started) return;
      stackFile.write(stackFileOf(started)).catch((err) => console.error(`cannot update stack.json: ${String(err)}`));
    },
  });
  started = stack;
  await stackFile.write(stackFileOf(stack));
  const storage = inMemory ? 'in memory' : `in ${path.join(stateDir(env), 'azurite')}`;
  console.log(bannerLines(stack, Date.now() - startedAt, storage).join('\n'));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping ClouDO...`);
    Promise.all([stack.stop(), stackFile.remove()]).then(
      () => process.exit(128 + (os.constants.signals[signal] ?? 15)),
      (err) => {
        console.error('stop failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** What `npm start` prints once up: where everything is, and what is not as production has it. */
function bannerLines(stack: LocalStack, startMs: number, storage: string): string[] {
  const { created, updated, unchanged } = stack.imported;
  const { blob, queue, table } = stack.azurite.ports;
  return [
    '',
    `ClouDO is up in ${startMs} ms`,
    `  console     ${stack.url}/api/logs`,
    `  trigger     curl -s '${stack.url}/api/Trigger?id=test'`,
    `  executions  ${stack.url}/api/executions`,
    `  health      ${stack.url}/api/healthz`,
    `  storage     Azurite ${storage} (blob ${blob}, queue ${queue}, table ${table})`,
    `  schemas     ${created.length} created, ${updated.length} updated, ${unchanged.length} unchanged`,
    `  workers     ${stack.workers.join(', ')}`,
    ...runbookUserLines(stack.runbookIsolation),
    ...accessLines(stack.keys, stack.url),
    'Ctrl-C stops everything.',
    '',
  ];
}

function runbookUserLines(isolation: LocalStack['runbookIsolation']): string[] {
  if (isolation === 'separate-users') return ['  runbooks    run as accounts of their own (CLOUDO_RUNBOOK_UIDS)'];
  return [
    "  !! RUNBOOKS RUN AS YOUR OWN USER: they can read this stack's keys and storage key, and its processes.",
    '  !! The worker image runs each as a user of its own (README: "What a runbook can reach").',
  ];
}

function accessLines(keys: LocalKeys | null, url: string): string[] {
  if (!keys) {
    return [
      '  !! ACCESS CONTROL IS OFF: no keys, roles or tokens are checked (as with Core Tools).',
      '  !! Do not expose this port. `npm start -- --secure` enforces them as production does.',
    ];
  }
  return [
    `  access      secured (keys in ${path.join(stateDir(process.env), 'keys.json')})`,
    `  functions key  ${keys.functionKey}   e.g. curl -s -H 'x-functions-key: ${keys.functionKey}' '${url}/api/Trigger?id=test'`,
    `  admin token    ${keys.adminToken}   e.g. curl -s -H 'authorization: Bearer ${keys.adminToken}' ${url}/api/executions`,
  ];
}

main().catch((err: unknown) => {
  console.error(`cannot start ClouDO: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
