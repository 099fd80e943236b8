import type { RunTrigger } from '../../src/core/execution.js';
import { RunbookSchema } from '../../src/core/runbook-schema.js';

/** A valid schema for tests; override what the test is about. */
export function testSchema(overrides: Partial<RunbookSchema> = {}): RunbookSchema {
  const id = overrides.id ?? 'hello';
  // the contract's own defaults for the rest, so a new field needs no edit here
  return RunbookSchema.parse({
    partitionKey: 'generic',
    id,
    name: `${id} runbook`,
    runbook: `${id}.sh`,
    worker: 'Runbook',
    timeoutSeconds: 60,
    ...overrides,
  });
}

/** An anonymous HTTP trigger, as a local curl makes. */
export const HTTP_TRIGGER: RunTrigger = { source: 'http', actor: null, team: null, principal: null };
