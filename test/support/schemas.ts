import type { RunTrigger } from '../../src/core/execution.js';
import type { RunbookSchema } from '../../src/core/runbook-schema.js';

/** A valid schema for tests; override what the test is about. */
export function testSchema(overrides: Partial<RunbookSchema> = {}): RunbookSchema {
  const id = overrides.id ?? 'hello';
  return {
    partitionKey: 'generic',
    id,
    name: `${id} runbook`,
    description: '',
    runbook: `${id}.sh`,
    worker: 'Runbook',
    oncall: false,
    runArgs: '',
    requireApproval: false,
    approvers: [],
    minApprovals: 1,
    allowSelfApproval: false,
    rejectReasonRequired: true,
    approvalTimeoutMinutes: 60,
    timeoutSeconds: 60,
    alertRules: [],
    dedupeWindowMinutes: 10,
    onResolved: 'run',
    concurrency: 'parallel',
    aksCredentials: false,
    team: null,
    ...overrides,
  };
}

/** An anonymous HTTP trigger, as a local curl makes. */
export const HTTP_TRIGGER: RunTrigger = { source: 'http', actor: null, team: null, principal: null };
