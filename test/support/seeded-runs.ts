import type { Execution, ExecutionStatus, Run } from '../../src/core/execution.js';
import { planRun } from '../../src/core/run-plan.js';
import { HTTP_TRIGGER, testSchema } from './schemas.js';

export interface SeededRunFields extends Partial<Run> {
  /** How long it ran, ms: sets startedAt at the request time and finishedAt this much later. */
  readonly durationMs?: number;
}

/**
 * A run requested at `at` (its id carries that time, so it lands in that day's partition), as a row
 * looks once it got to `status`: for searches and statistics, which only read rows.
 */
export function seededRun(at: string | number, status: ExecutionStatus, fields: SeededRunFields = {}): Execution {
  const { durationMs, ...overrides } = fields;
  const ms = typeof at === 'number' ? at : Date.parse(at);
  const schema = testSchema({ id: overrides.schemaId ?? 'disk' });
  const { execution } = planRun(schema, HTTP_TRIGGER, new Date(ms));
  const timing =
    durationMs === undefined
      ? {}
      : { startedAt: new Date(ms).toISOString(), finishedAt: new Date(ms + durationMs).toISOString() };
  // a row as read, whatever its status: searches and statistics take rows unchecked
  return { ...execution, status, ...timing, ...overrides } as Execution;
}
