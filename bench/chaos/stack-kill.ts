import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseSchemasFile } from '../../src/core/runbook-schema.js';
import { startAzurite } from '../../src/local/azurite.js';
import { freePort } from '../../test/support/ports.js';
import { burst } from './burst.js';
import { GroupProcess, processesWith } from './processes.js';
import type { ScenarioResult } from './result.js';
import { queuedMessages, settle, tally } from './settle.js';
import type { ChaosOptions } from './setup.js';
import { baseEnv, chaosEntity, RUNBOOKS_DIR, scaled, scenarioDir, storageAt } from './setup.js';

const HOST_ENTRY = path.resolve(import.meta.dirname, 'host-process.ts');
const WORKER_ENTRY = path.resolve(import.meta.dirname, '../../workers/main.ts');

/**
 * Every ClouDO process SIGKILLed at once mid-burst — the functions host, the worker, the runbooks it
 * started — as a machine losing power would, then all started again on the same storage and port. The
 * storage (Azurite on disk, here playing Azure Storage) stays up: Azurite itself saves its data only every
 * 5 s, so killing it too would measure Azurite, not ClouDO.
 */
export async function stackKillScenario(options: ChaosOptions): Promise<ScenarioResult> {
  const count = scaled(options, 1000, 20);
  const durationMs = scaled(options, 10_000, 2_000);
  const downMs = scaled(options, 3_000, 1_000);
  const { dir, appendFile } = await scenarioDir('stack-kill');
  const azurite = await startAzurite({ location: path.join(dir, 'azurite') });
  const processes: GroupProcess[] = [];
  try {
    const storage = storageAt(azurite.connectionString);
    await storage.ensureResources();
    const parsed = parseSchemasFile(
      JSON.stringify([{ partition_key: 'test', entity: [chaosEntity(appendFile, 0.2)] }]),
    );
    if (!parsed.ok) throw new Error('the chaos schema is invalid');
    await storage.schemas.importSchemas(parsed.schemas);
    const port = await freePort();
    const env = { ...baseEnv(), AzureWebJobsStorage: azurite.connectionString, RUNBOOKS_DIR, PORT: String(port) };
    const start = async () => {
      const host = new GroupProcess(HOST_ENTRY, env);
      const worker = new GroupProcess(WORKER_ENTRY, { ...env, CLOUDO_WORKER: 'Runbook' });
      processes.push(host, worker);
      await Promise.all([host.ready(/listening at/), worker.ready(/polling/)]);
    };
    await start();
    let accepted: () => void = () => undefined;
    const firstAccepted = new Promise<void>((resolve) => {
      accepted = resolve;
    });
    const load = burst({
      triggerUrl: () => `http://127.0.0.1:${port}/api/Trigger?id=chaos`,
      count,
      durationMs,
      answerTimeoutMs: 30_000,
      onAnswer: (answer) => {
        if (answer.status === 202) accepted();
      },
    });
    // mid-burst, and never before the stack has accepted a run: a machine slow to warm up (CI running other
    // suites) would otherwise be killed before it answered anything, and the scenario would test nothing
    const killAt = (0.3 + 0.4 * Math.random()) * durationMs;
    await Promise.all([sleep(killAt), Promise.race([firstAccepted, sleep(durationMs * 5)])]);
    await Promise.all(processes.map((p) => p.kill()));
    // the append file is in the runbooks' argv only (Azurite's names the folder, so not the folder)
    const runbooks = processesWith(appendFile);
    for (const pid of runbooks) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone, or not a group leader: the pid alone then
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
    await sleep(downMs);
    await start();
    const b = await load;
    options.log(`stack-kill: burst done, settling`);
    const runs = await settle(storage, b, scaled(options, 180_000, 60_000));
    return await tally({
      scenario: 'whole stack SIGKILLed, restarted',
      burst: b,
      runs,
      appendFile,
      extra: {
        runbooksKilled: runbooks.length,
        abandoned: runs.filter((r) => r.status === 'abandoned').length,
        queuedAtEnd: await queuedMessages(storage),
      },
      notes: [`killed at ${(killAt / 1000).toFixed(1)} s with ${runbooks.length} runbooks running; down ${downMs} ms`],
    });
  } finally {
    for (const p of processes) await p.kill();
    await azurite.stop();
  }
}
