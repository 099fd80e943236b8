export { GitHubRunbookSource } from './github-source.js';
export type { RunbookPublisherOptions, ServedFolder } from './runbook-publisher.js';
export { RunbookPublisher } from './runbook-publisher.js';
export type { ResolvedRunbook, RunbookSource } from './runbook-source.js';
export { LocalRunbookSource, RunbookUnavailableError } from './runbook-source.js';
export { PUBLISH_INTERVAL_MS, servedFolderOf } from './served-folder.js';
