/**
 * `npm start`: the whole ClouDO on one machine — Azurite (data under .cloudo/), the functions on :7071,
 * one worker per capability, the sample schemas imported. Ctrl-C stops everything.
 *
 *   --in-memory       keep storage in memory (nothing kept under .cloudo/)
 *   --secure          enforce keys, roles and tokens as production does (also CLOUDO_LOCAL_AUTH=on)
 *
 * Its settings are LocalEnv's (local-settings.ts); the rest of the environment reaches the app and workers.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { LocalKeys } from './local-keys.js';
import { loadLocalSettings } from './local-settings.js';
import type { LocalStack } from './stack.js';
import { startLocalStack } from './stack.js';
import { StackFileWriter } from './stack-file.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'in-memory': { type: 'boolean', default: false }, secure: { type: 'boolean', default: false } },
  });
  const env = process.env;
  const settings = loadLocalSettings(env, { inMemory: values['in-memory'], secure: values.secure });
  const startedAt = Date.now();
  const stackFile = new StackFileWriter(settings.stateDir);
  // set once started; a worker may restart before that, and the first write lists its pid anyway
  let started: LocalStack | undefined;
  const stackFileOf = (running: LocalStack) => ({
    url: running.url,
    pid: process.pid,
    connectionString: running.azurite.connectionString,
    namespace: settings.namespace,
    childPids: running.childPids(),
  });
  const stack = await startLocalStack({
    port: settings.port,
    azuriteLocation: settings.inMemory ? null : path.join(settings.stateDir, 'azurite'),
    azuritePorts: settings.azuritePorts,
    schemasFile: settings.schemasFile,
    runbooksDir: settings.runbooksDir,
    namespace: settings.namespace,
    secure: settings.secure,
    stateDir: settings.stateDir,
    timerIntervalMs: settings.timerIntervalMs,
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
  const storage = settings.inMemory ? 'in memory' : `in ${path.join(settings.stateDir, 'azurite')}`;
  console.log(bannerLines(stack, Date.now() - startedAt, storage, settings.stateDir).join('\n'));

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
function bannerLines(stack: LocalStack, startMs: number, storage: string, stateDir: string): string[] {
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
    ...accessLines(stack.keys, stack.url, stateDir),
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

function accessLines(keys: LocalKeys | null, url: string, stateDir: string): string[] {
  if (!keys) {
    return [
      '  !! ACCESS CONTROL IS OFF: no keys, roles or tokens are checked (as with Core Tools).',
      '  !! Do not expose this port. `npm start -- --secure` enforces them as production does.',
    ];
  }
  return [
    `  access      secured (keys in ${path.join(stateDir, 'keys.json')})`,
    `  functions key  ${keys.functionKey}   e.g. curl -s -H 'x-functions-key: ${keys.functionKey}' '${url}/api/Trigger?id=test'`,
    `  admin token    ${keys.adminToken}   e.g. curl -s -H 'authorization: Bearer ${keys.adminToken}' ${url}/api/executions`,
  ];
}

main().catch((err: unknown) => {
  console.error(`cannot start ClouDO: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
