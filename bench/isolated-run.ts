/**
 * What a container of its own adds to a run (issue 21): trigger → outcome recorded for a trivial runbook,
 * run shared by the worker, then isolated (`isolation: container`) in a group of the loopback ARM fake,
 * whose "container" is the worker image's one-shot mode started as a local process — so the figure is
 * ClouDO's own cost (create, follow, log through the app and the SAS, read the outcome, delete), not
 * Azure's: a real ACI group takes tens of seconds to start (image pull included), which this cannot show.
 *
 *   npm run bench:isolated            10 runs each (BENCH_RUNS)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ArmContainerGroups } from '../src/containers/index.js';
import { isTerminal } from '../src/core/execution.js';
import type { Isolation } from '../src/core/isolation.js';
import { planRun } from '../src/core/run-plan.js';
import { startAzurite } from '../src/local/azurite.js';
import { RunDispatcher } from '../src/runs/index.js';
import { createStorage } from '../src/storage/index.js';
import { fakeArmCredential, startFakeContainerInstances } from '../test/support/fake-container-instances.js';
import { startRunTokenApp } from '../test/support/run-token-app.js';
import { HTTP_TRIGGER, testSchema } from '../test/support/schemas.js';
import { makeRunbooks, startTestWorker } from '../test/support/worker.js';
import { figure, isQuick, median } from './report.js';

const KEY = 'worker-key-for-bench-0123456789abcdefghijkl';
const runs = Number(process.env.BENCH_RUNS ?? (isQuick() ? 5 : 10));
const MAIN = path.resolve('workers/main.ts');

async function main() {
  const azurite = await startAzurite();
  const settings = {
    connection: { kind: 'connection-string' as const, connectionString: azurite.connectionString },
    namespace: '',
  };
  const storage = createStorage(settings);
  await storage.ensureResources();
  const t = { settings, storage, env: {}, cleanup: async () => undefined };
  const app = await startRunTokenApp(t, { workerKey: KEY, env: {} });
  const aci = await startFakeContainerInstances({
    launch: (group) =>
      spawn(process.execPath, ['--import', 'tsx', MAIN, ...group.command.slice(4)], {
        detached: true,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...group.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
  });
  const dir = await makeRunbooks({ 'hello.sh': 'echo hello' });
  const worker = startTestWorker(t, dir, {
    runIdentity: { appUrl: app.url, key: KEY },
    isolated: {
      ...aci.settings,
      location: 'westeurope',
      image: 'cloudo.azurecr.io/cloudo-worker:bench',
      registryIdentity: null,
      subnetId: null,
      identities: {},
      pollMs: 100,
      startTimeoutMs: 60_000,
    },
    containerGroups: new ArmContainerGroups({
      settings: aci.settings,
      credential: fakeArmCredential,
      pollMs: 100,
      clientOptions: { tlsOptions: { ca: aci.ca } },
    }),
    workerEnv: { PATH: process.env.PATH, HOME: process.env.HOME, RUNBOOKS_DIR: dir },
  });
  try {
    const timed = async (isolation: Isolation) => {
      const times: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        const plan = planRun(testSchema({ id: 'hello', isolation }), HTTP_TRIGGER);
        await new RunDispatcher(storage).dispatch(plan);
        for (;;) {
          const e = (await storage.executions.get(plan.execution.execId))?.execution;
          if (e && isTerminal(e.status)) {
            if (e.status !== 'succeeded') throw new Error(`${isolation} run ended ${e.status}: ${e.error}`);
            // the first run warms module loading and connections up: not what this measures
            if (i > 0) times.push(Date.parse(e.finishedAt ?? '') - Date.parse(e.requestedAt));
            break;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      return median(times);
    };
    const shared = await timed('shared');
    const container = await timed('container');
    console.log(
      `trigger → recorded, p50 of ${runs}: shared ${shared} ms, own container group (fake ARM) ${container} ms`,
    );
    figure({
      id: 'isolated.run.p50',
      label: `trigger → outcome recorded p50, isolation: container against the loopback ARM (${runs} runs)`,
      value: container,
      unit: 'ms',
      baseline: { label: 'the same runbook run shared', value: shared },
    });
  } finally {
    await worker.close({ force: true });
    await Promise.all([app.close(), aci.close()]);
    await azurite.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
