export type { CancelResult } from '../core/run-lifecycle.js';
export type { AbandonOptions } from './abandoned-runs.js';
export { abandonStaleRuns } from './abandoned-runs.js';
export type { OrphanRunsOptions } from './orphan-runs.js';
export { requeueOrphanRuns } from './orphan-runs.js';
export { cancelRun } from './run-control.js';
export { RunDispatcher } from './run-dispatcher.js';
export type { UnservedRunsOptions } from './unserved-runs.js';
export { endUnservedRuns } from './unserved-runs.js';
