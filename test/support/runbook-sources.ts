import type { TestStorage } from './storage.js';

/** The commit the published test sources are at. */
export const SOURCE_SHA = 'a'.repeat(40);

/**
 * Publishes `files` as worker `git` does from a GitHub snapshot of acme/runbooks at SOURCE_SHA (folder
 * `runbooks`): what the app shows as a runbook's source, its commit and its link.
 */
export async function publishGitSources(t: TestStorage, files: Record<string, string>): Promise<void> {
  await t.storage.runbookSources.publish(
    {
      worker: 'git',
      version: SOURCE_SHA,
      kind: 'github',
      commit: SOURCE_SHA,
      repo: 'acme/runbooks',
      branch: 'main',
      repoUrl: 'https://github.com/acme/runbooks',
      runbookPath: 'runbooks',
      publishedAt: new Date().toISOString(),
      files: Object.entries(files).map(([path, content]) => ({
        path,
        size: Buffer.byteLength(content),
        sha256: 'b'.repeat(64),
        stored: true,
      })),
      truncated: false,
    },
    Object.entries(files).map(([path, content]) => ({ path, content: Buffer.from(content) })),
  );
}
