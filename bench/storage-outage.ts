/**
 * Trigger during a storage outage, in-process on a real (in-memory) Azurite:
 *
 *   npm run bench:outage
 *
 * The app's tables sit behind a proxy that drops every connection (storage down). For each retry profile
 * of the storage clients — `patient` (the SDKs' defaults, what the app used before) and `prompt` (what it
 * uses now) — the time until Trigger answers, median of 5, and the status it answers with. Baseline in the
 * same run: Trigger with storage up.
 */

import { loadAppSettings } from '../src/core/settings.js';
import { createAppServices } from '../src/functions/services.js';
import { triggerFunction } from '../src/functions/trigger.js';
import { startAzurite } from '../src/local/azurite.js';
import type { StorageRetry } from '../src/storage/index.js';
import { createStorage } from '../src/storage/index.js';
import { callHttp } from '../test/support/functions.js';
import { testSchema } from '../test/support/schemas.js';
import { startStorageFaultProxy } from '../test/support/storage-fault-proxy.js';
import { figure, median } from './report.js';

async function main() {
  const azurite = await startAzurite();
  const proxy = await startStorageFaultProxy(azurite.connectionString, 'TableEndpoint');
  const storage = createStorage({
    connection: { kind: 'connection-string', connectionString: azurite.connectionString },
    namespace: '',
  });
  await storage.ensureResources();
  await storage.schemas.importSchemas([testSchema({ id: 'disk' })]);
  const appSettings = loadAppSettings({
    AzureWebJobsStorage: proxy.connectionString,
    CLOUDO_ENV: 'development',
    CLOUDO_LOCAL_AUTH: 'off',
  });
  const trigger = (retry: StorageRetry) => {
    const services = createAppServices(appSettings, { storageRetry: retry });
    return triggerFunction(() => services, 'anonymous');
  };
  const time = async (retry: StorageRetry, runs: number) => {
    const fn = trigger(retry);
    const times: number[] = [];
    const statuses = new Set<number>();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const res = await callHttp(fn, { url: 'http://bench/api/Trigger?id=disk' });
      times.push(performance.now() - t0);
      statuses.add(res.status);
    }
    return { ms: median(times), statuses: [...statuses].join('/') };
  };
  proxy.rule = () => 'pass';
  const up = await time('prompt', 20);
  console.log(`storage up:               Trigger answers ${up.statuses} in ${up.ms.toFixed(1)} ms (median of 20)`);
  proxy.rule = () => 'reset';
  for (const retry of ['patient', 'prompt'] as const) {
    const down = await time(retry, 5);
    figure({
      id: `outage.trigger-answer.${retry}`,
      label: `Trigger answer with storage down, ${retry} retries (median)`,
      value: down.ms,
      unit: 'ms',
      baseline: { label: 'the answer with storage up', value: up.ms },
    });
    console.log(
      `storage down, ${retry.padEnd(7)}: Trigger answers ${down.statuses} in ${down.ms.toFixed(0)} ms (median of 5, ${(down.ms / up.ms).toFixed(0)} x the answer with storage up)`,
    );
  }
  await proxy.close();
  await azurite.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
