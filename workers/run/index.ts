export { FederatedTokenClient } from './federated-token-client.js';
export type { RunDependencies } from './run-execution.js';
export { executeRun } from './run-execution.js';
export type { CancelReason } from './run-outcome.js';
export { SHUTDOWN } from './run-outcome.js';
export { claimRun, recordOutcome } from './run-records.js';
export { RunbookAccounts, separationProblem } from './runbook-accounts.js';
