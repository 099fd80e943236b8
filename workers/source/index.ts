export { GitHubRunbookSource } from './github-source.js';
export type { ResolvedRunbook, RunbookSource } from './runbook-source.js';
export { LocalRunbookSource, RunbookUnavailableError } from './runbook-source.js';
