import { setTimeout as sleep } from 'node:timers/promises';
import { SupervisedProcess } from '../../src/local/supervisor.js';
import { workerProcess } from '../../src/local/worker-process.js';
import { startStackIn } from '../../test/support/local-stack.js';
import { burst } from './burst.js';
import type { ScenarioResult } from './result.js';
import { settle, tally } from './settle.js';
import type { ChaosOptions } from './setup.js';
import { baseEnv, chaosEntity, RUNBOOKS_DIR, scaled, scenarioDir, storageAt } from './setup.js';

/**
 * 1000 triggers in 10 s, two worker processes on the capability; one of them is SIGKILLed twice at random
 * moments of the burst (the stack restarts it, as it restarts any worker that dies). Each run takes 0.2 s,
 * so kills land on running scripts too.
 */
export async function workerKillScenario(options: ChaosOptions): Promise<ScenarioResult> {
  const count = scaled(options, 1000, 20);
  const durationMs = scaled(options, 10_000, 2_000);
  const kills = options.scale < 0.1 ? 1 : 2;
  const { dir, appendFile } = await scenarioDir('worker-kill');
  const env = baseEnv();
  const stack = await startStackIn(dir, [chaosEntity(appendFile, 0.2)], { runbooksDir: RUNBOOKS_DIR, env });
  // the stack runs one worker per capability; a second one competes for the same queue, as a scaled-out
  // deployment's containers do
  const second = new SupervisedProcess(
    workerProcess({
      worker: 'Runbook',
      env: { ...env, AzureWebJobsStorage: stack.azurite.connectionString, RUNBOOKS_DIR },
      onLine: () => undefined,
    }),
  );
  second.start();
  const notes: string[] = [];
  try {
    const storage = storageAt(stack.azurite.connectionString);
    const load = burst({
      triggerUrl: () => `${stack.url}/api/Trigger?id=chaos`,
      count,
      durationMs,
      answerTimeoutMs: 30_000,
    });
    // kill moments: random, but inside the burst, and apart so the second lands on the restarted process
    const moments = Array.from({ length: kills }, (_, i) => ((i + Math.random()) / kills) * durationMs).sort(
      (a, b) => a - b,
    );
    const started = Date.now();
    for (const at of moments) {
      await sleep(Math.max(0, started + at - Date.now()));
      const pid = second.pid;
      if (!pid) continue;
      // the worker's own group: its runbooks run in groups of their own and live on, as they would
      // if only the worker's container process died
      try {
        process.kill(pid, 'SIGKILL');
      } catch (err) {
        throw new Error(`worker ${pid} was already dead (it could not start?)`, { cause: err });
      }
      notes.push(`worker ${pid} SIGKILLed at ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // the stack restarts a dead worker after 0.5 s; wait for the new one before the next kill
      // (pid is undefined while it is down)
      while (second.pid === pid || second.pid === undefined) await sleep(100);
    }
    const b = await load;
    options.log(`worker-kill: burst done (${b.answers.length} triggers), settling`);
    const runs = await settle(storage, b, scaled(options, 180_000, 60_000));
    return await tally({ scenario: `one of two workers SIGKILLed ${kills}×`, burst: b, runs, appendFile, notes });
  } finally {
    await second.stop();
    await stack.stop();
  }
}
