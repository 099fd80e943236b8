import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { runbookNameProblem } from '../../src/core/safe-path.js';

/** The runbook cannot be run: a refused name, a path that leaves the folder, or a missing file. */
export class RunbookUnavailableError extends Error {
  override readonly name = 'RunbookUnavailableError';
}

export interface ResolvedRunbook {
  /** Absolute, symlink-free path inside the runbook root. */
  readonly path: string;
  /** Where it came from, for the record: a folder, or `github:owner/repo@sha:path`. */
  readonly origin: string;
  /** The Git commit it was taken from, when it came from Git. */
  readonly commitSha?: string;
  /** Its path inside the repository, when it came from Git. */
  readonly relativePath?: string;
  /** Ends this run's hold on its snapshot (so old snapshots can be pruned); calling it twice does nothing. */
  readonly release?: () => void;
}

/** Where runbooks come from: a local folder (LocalRunbookSource) or a pinned GitHub commit (GitHubRunbookSource). */
export interface RunbookSource {
  resolve(name: string): Promise<ResolvedRunbook>;
}

/** Runbooks from a local folder (`RUNBOOKS_DIR`). */
export class LocalRunbookSource implements RunbookSource {
  constructor(private readonly root: string) {}

  async resolve(name: string): Promise<ResolvedRunbook> {
    const problem = runbookNameProblem(name);
    if (problem) throw new RunbookUnavailableError(`runbook "${name}" ${problem}`);
    const root = await realpath(this.root).catch(() => {
      throw new RunbookUnavailableError(`runbook folder ${this.root} does not exist`);
    });
    const real = await realpath(path.join(root, name)).catch(() => {
      throw new RunbookUnavailableError(`runbook "${name}" not found in ${this.root}`);
    });
    // a symlink may point anywhere; only what stays under the root may run
    if (!real.startsWith(root + path.sep)) {
      throw new RunbookUnavailableError(`runbook "${name}" resolves outside the runbook folder`);
    }
    if (!(await stat(real)).isFile()) throw new RunbookUnavailableError(`runbook "${name}" is not a file`);
    return { path: real, origin: `folder ${this.root}` };
  }
}
