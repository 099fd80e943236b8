import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningAzurite } from '../../src/local/azurite.js';
import { startAzurite } from '../../src/local/azurite.js';
import { startStackIn } from '../../test/support/local-stack.js';
import { freePort } from '../../test/support/ports.js';
import { burst } from './burst.js';
import type { ScenarioResult } from './result.js';
import { queuedMessages, settle, tally } from './settle.js';
import type { ChaosOptions } from './setup.js';
import { baseEnv, chaosEntity, RUNBOOKS_DIR, scaled, scenarioDir, storageAt } from './setup.js';

/**
 * Azurite stopped for 20 s from the middle of a 1000-trigger burst, then started again on the same ports
 * and data folder (a storage outage, not a data loss). Callers must get 503 with Retry-After, never a 500
 * or a hang; every run answered 202 must finish; no run that was alive may end `abandoned`.
 */
export async function storageOutageScenario(options: ChaosOptions): Promise<ScenarioResult> {
  const count = scaled(options, 1000, 20);
  const durationMs = scaled(options, 10_000, 2_000);
  const outageMs = scaled(options, 20_000, 3_000);
  const { dir, appendFile } = await scenarioDir('storage-outage');
  const location = path.join(dir, 'azurite');
  const ports = { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const stack = await startStackIn(dir, [chaosEntity(appendFile, 0.2)], {
    runbooksDir: RUNBOOKS_DIR,
    env: baseEnv(),
    azuriteLocation: location,
    azuritePorts: ports,
  });
  let restarted: RunningAzurite | null = null;
  try {
    const storage = storageAt(stack.azurite.connectionString);
    const load = burst({
      triggerUrl: () => `${stack.url}/api/Trigger?id=chaos`,
      count,
      durationMs,
      answerTimeoutMs: 30_000,
    });
    await sleep(durationMs / 2);
    // SIGINT: Azurite writes its data out and exits, as a storage service going away cleanly would
    const stoppedAt = Date.now();
    await stack.azurite.stop();
    await sleep(outageMs);
    restarted = await startAzurite({ location, blobPort: ports.blob, queuePort: ports.queue, tablePort: ports.table });
    const b = await load;
    options.log(`storage-outage: burst done, storage back after ${outageMs} ms, settling`);
    const runs = await settle(storage, b, scaled(options, 180_000, 60_000));
    const abandoned = runs.filter((r) => r.status === 'abandoned').length;
    // a row left accepted by a trigger cut short by the outage was requested just before the stop
    const stuckFromBeforeStop = runs.filter(
      (r) => r.status === 'accepted' && Date.parse(r.requestedAt) < stoppedAt,
    ).length;
    return await tally({
      scenario: `Azurite stopped ${outageMs / 1000} s mid-burst`,
      burst: b,
      runs,
      appendFile,
      extra: { abandoned, stuckFromBeforeStop, queuedAtEnd: await queuedMessages(storage) },
    });
  } finally {
    await stack.stop();
    await restarted?.stop();
  }
}
