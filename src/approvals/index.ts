export type { ApprovalServices, DecisionOutcome } from './decide-run.js';
export { announce, decideRun } from './decide-run.js';
export { expireOverdueRuns, listPendingRuns } from './pending-runs.js';
