import type { Execution, Run } from '../../src/core/execution.js';
import { isRun } from '../../src/core/execution.js';
import { planRun } from '../../src/core/run-plan.js';
import type { VersionedRun } from '../../src/storage/index.js';
import { HTTP_TRIGGER, testSchema } from './schemas.js';
import type { TestStorage } from './storage.js';

/** A run a worker has claimed, as its row and (empty) log are then: what live-log tests follow. */
export async function startedRun(t: TestStorage): Promise<VersionedRun> {
  const plan = planRun(testSchema(), HTTP_TRIGGER);
  await t.storage.executions.create(plan.execution);
  const row = await t.storage.executions.get(plan.execution.execId);
  if (!row) throw new Error(`run ${plan.execution.execId} was not recorded`);
  const execution = { ...plan.execution, status: 'running' as const, startedAt: new Date().toISOString() };
  const etag = await t.storage.executions.transition(row, execution);
  await t.storage.logs.create(execution.execId);
  return { execution, etag };
}

/** The row as a run: a test that reads back a run it wrote (never an unmatched alert) says so once. */
export function asRun(execution: Execution): Run {
  if (!isRun(execution)) throw new Error(`${execution.execId} is an unmatched alert, not a run`);
  return execution;
}
