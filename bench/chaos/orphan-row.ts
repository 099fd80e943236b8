import { planRun } from '../../src/core/run-plan.js';
import { startStackIn } from '../../test/support/local-stack.js';
import { burst } from './burst.js';
import type { ScenarioResult } from './result.js';
import { queuedMessages, settle, tally } from './settle.js';
import type { ChaosOptions } from './setup.js';
import { baseEnv, chaosEntity, RUNBOOKS_DIR, scaled, scenarioDir, storageAt } from './setup.js';

/**
 * The functions host dying between "row written" and "message queued", during a burst: for some triggers
 * the row is written exactly as the dispatcher writes it (RunDispatcher.dispatch, step one) and nothing is
 * queued, as if the process died right there; the caller got no answer. Does anything notice the orphan,
 * re-queue it or end it visibly, within the settle time?
 */
export async function orphanRowScenario(options: ChaosOptions): Promise<ScenarioResult> {
  const count = scaled(options, 200, 20);
  const orphans = scaled(options, 20, 2);
  const durationMs = scaled(options, 10_000, 2_000);
  const settleMs = scaled(options, 90_000, 25_000);
  const { dir, appendFile } = await scenarioDir('orphan-row');
  const stack = await startStackIn(dir, [chaosEntity(appendFile)], { runbooksDir: RUNBOOKS_DIR, env: baseEnv() });
  try {
    const storage = storageAt(stack.azurite.connectionString);
    const schema = await storage.schemas.get('chaos');
    if (!schema) throw new Error('schema chaos was not imported');
    const load = burst({
      triggerUrl: () => `${stack.url}/api/Trigger?id=chaos`,
      count,
      durationMs,
      answerTimeoutMs: 30_000,
    });
    const orphanIds: string[] = [];
    for (let i = 0; i < orphans; i++) {
      await new Promise((resolve) => setTimeout(resolve, durationMs / orphans));
      const plan = planRun(schema, { source: 'http', actor: null, team: null, principal: null });
      await storage.executions.create(plan.execution);
      orphanIds.push(plan.execution.execId);
    }
    const b = await load;
    options.log(`orphan-row: burst done, ${orphans} rows written without their message; settling ${settleMs} ms`);
    const runs = await settle(storage, b, settleMs);
    const orphanRuns = runs.filter((r) => orphanIds.includes(r.execId));
    const ended = orphanRuns.filter((r) => r.status !== 'accepted').length;
    return await tally({
      scenario: 'host killed between row and message',
      burst: b,
      runs,
      appendFile,
      extra: { orphans, orphansEnded: ended, queuedAtEnd: await queuedMessages(storage) },
      notes: [`${orphans - ended} of ${orphans} orphan rows still accepted after ${settleMs / 1000} s`],
    });
  } finally {
    await stack.stop();
  }
}
