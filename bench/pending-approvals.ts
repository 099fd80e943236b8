/**
 * What listing the runs waiting for approval costs (the console's list renders it every 5 s, the inbox and
 * housekeeping read it too) as the Executions table grows, on in-memory Azurite.
 *
 *   npm run bench:pending                 5000 runs of history, 5 waiting
 *   BENCH_HISTORY=20000 npm run bench:pending
 *
 * ClouDO reads the PendingApprovals index (one small query, then a point read per waiting run). The
 * baseline, same run and same data: a status filter on Executions, which the table service answers by
 * scanning every row (what the console would do without the index).
 */

import { planRun } from '../src/core/run-plan.js';
import { startAzurite } from '../src/local/azurite.js';
import { createStorage } from '../src/storage/index.js';
import { HTTP_TRIGGER, testSchema } from '../test/support/schemas.js';
import { figure, median } from './report.js';

const history = Number(process.env.BENCH_HISTORY ?? 5000);
const waiting = 5;
const rounds = 10;

async function main() {
  const azurite = await startAzurite();
  try {
    const storage = createStorage({
      connection: { kind: 'connection-string', connectionString: azurite.connectionString },
      namespace: 'bench',
    });
    await storage.ensureResources();
    const plain = testSchema({ id: 'plain' });
    const gated = testSchema({ id: 'gated', requireApproval: true });
    const start = Date.now() - 30 * 86_400_000;
    // history spread over 30 days, written 50 at a time
    for (let i = 0; i < history; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, history - i) }, (_, j) =>
          storage.executions.create(
            planRun(plain, HTTP_TRIGGER, new Date(start + ((i + j) / history) * 30 * 86_400_000)).execution,
          ),
        ),
      );
    }
    for (let i = 0; i < waiting; i++) await storage.executions.create(planRun(gated, HTTP_TRIGGER).execution);

    const scan = async () => {
      let found = 0;
      let continuationToken: string | undefined;
      do {
        const page = await storage.executions.list({ status: 'pending_approval', limit: 200, continuationToken });
        found += page.executions.length;
        continuationToken = page.continuationToken ?? undefined;
      } while (continuationToken);
      return found;
    };
    const timed = async (read: () => Promise<number>) => {
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now();
        const found = await read();
        times.push(performance.now() - t0);
        if (found !== waiting) throw new Error(`found ${found} waiting runs, expected ${waiting}`);
      }
      return median(times);
    };
    const indexed = await timed(async () => (await storage.executions.listPending()).length);
    const scanned = await timed(scan);
    console.log(`listing ${waiting} waiting runs among ${history} runs (median of ${rounds}):`);
    console.log(`  index (PendingApprovals)       ${indexed.toFixed(1)} ms`);
    console.log(`  status scan of Executions      ${scanned.toFixed(1)} ms  (baseline, same run)`);
    console.log(`  → the index costs ${(indexed / scanned).toFixed(3)} × the scan`);
    figure({
      id: 'pending.list',
      label: `listing ${waiting} runs waiting for approval among ${history} runs (median)`,
      value: indexed,
      unit: 'ms',
      baseline: { label: 'status scan of Executions', value: scanned },
    });
  } finally {
    await azurite.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
