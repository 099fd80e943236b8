export { FederatedTokenClient } from './federated-token-client.js';
export type { RunDependencies, RunResult } from './run-execution.js';
export { executeRun } from './run-execution.js';
export type { CancelReason } from './run-outcome.js';
export { outcomeFields, SHUTDOWN, stoppedBeforeStart } from './run-outcome.js';
export { claimRun, recordOutcome } from './run-records.js';
export { RunbookAccounts, separationProblem } from './runbook-accounts.js';
