import { repositoryWebUrl } from '../../src/core/runbook-catalogue.js';
import type { WorkerSettings } from '../../src/core/worker-settings.js';
import type { GitHubRunbookSource } from './github-source.js';
import type { ServedFolder } from './runbook-publisher.js';

/** How often a worker checks whether what it serves changed and publishes it (RunbookPublisher), in ms. */
export const PUBLISH_INTERVAL_MS = 30_000;

/**
 * What the worker's runbook source serves now, for the publisher: the GitHub snapshot at its current
 * commit (null before the first sync), or the local folder.
 */
export function servedFolderOf(
  settings: Pick<WorkerSettings, 'github' | 'runbooksDir'>,
  source: Pick<GitHubRunbookSource, 'currentFolder'> | null,
): () => ServedFolder | null {
  const { github } = settings;
  if (!github || !source) {
    const root = settings.runbooksDir ?? 'runbooks';
    return () => ({ root, commit: null, repo: null, branch: null, repoUrl: null, runbookPath: '' });
  }
  const repoUrl = repositoryWebUrl(github.apiBaseUrl, github.repo);
  return () => {
    const folder = source.currentFolder();
    if (!folder) return null;
    return {
      root: folder.root,
      commit: folder.sha,
      repo: github.repo,
      branch: folder.branch,
      repoUrl,
      runbookPath: folder.runbookPath,
      release: folder.release,
    };
  };
}
