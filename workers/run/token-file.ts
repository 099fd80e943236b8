import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunbookAccount } from './run-folder.js';

/** The file's name, as AKS's workload identity webhook names it. */
export const TOKEN_FILE_NAME = 'azure-identity-token';

/**
 * Where one run's federated token lives: a folder of the worker's own, beside the run's folder rather than
 * in it. The worker rewrites the token during the run, and once the run's folder is handed over (0700,
 * the run's uid) a worker without CAP_DAC_OVERRIDE (the image's) could no longer reach into it.
 *
 * With a uid of its own the run may pass through the folder (0711: no listing) to its file, which is its
 * own and 0400: other runs' uids cannot read it, and only the worker can replace or remove it. Without
 * separate users the folder is 0700 and the file 0600, the worker's.
 */
export class TokenFile {
  private latest: string | null = null;

  private constructor(
    /** Absolute path of the token: AZURE_FEDERATED_TOKEN_FILE. */
    readonly path: string,
    private readonly account: RunbookAccount | undefined,
  ) {}

  static async create(execId: string, account: RunbookAccount | undefined): Promise<TokenFile> {
    const dir = await mkdtemp(path.join(os.tmpdir(), `cloudo-identity-${execId}-`));
    await chmod(dir, account ? 0o711 : 0o700);
    return new TokenFile(path.join(dir, TOKEN_FILE_NAME), account);
  }

  /**
   * Replaces the token whole: a new file, owned and moded as it must be, renamed over the old one, so a
   * runbook reading at any moment sees the old token or the new one, never half of one.
   */
  async write(token: string): Promise<void> {
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      // created 0400 for the run's uid: the worker's write goes through the descriptor it opened
      await writeFile(temp, token, { mode: this.account ? 0o400 : 0o600, flag: 'wx' });
      if (this.account) await chown(temp, this.account.uid, this.account.gid);
      await rename(temp, this.path);
      this.latest = token;
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  /**
   * The token the file holds, from memory: the worker's own commands acting as the run (its AKS
   * credentials) need it, and once the file is the run's (0400) the worker cannot read it back.
   */
  get current(): string | null {
    return this.latest;
  }

  /** Removes the token and its folder (the run is over). */
  async remove(): Promise<void> {
    await rm(path.dirname(this.path), { recursive: true, force: true });
  }
}
