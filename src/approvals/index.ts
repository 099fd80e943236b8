export type { ApprovalServices, DecisionOutcome } from './decide-run.js';
export { announce, decideRun } from './decide-run.js';
export { expireOverdueRuns } from './expire-runs.js';
