import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { lchown, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The OS account a run executes as (runbook-accounts.ts hands them out). */
export interface RunbookAccount {
  readonly uid: number;
  readonly gid: number;
}

/** A fresh private folder (0700) for one run: its working directory, alert file and, when it has one, HOME. */
export function makeRunFolder(execId: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `cloudo-${execId}-`));
}

/**
 * Gives the folder and all the worker wrote into it (alert file, kubeconfig) to the run's account, so the
 * runbook may use them and nobody else may: the folder stays 0700, now the runbook's.
 */
export async function handOverRunFolder(dir: string, account: RunbookAccount): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true })) {
    // lchown: a link the worker wrote is given away, never what it points at
    await lchown(path.join(dir, entry), account.uid, account.gid);
  }
  await lchown(dir, account.uid, account.gid);
}

/**
 * Removes the run's folder. What the runbook made in it is its own (a folder of mode 0500, say), so the
 * account removes it first; the worker then removes what may be left.
 */
export async function removeRunFolder(dir: string, account: RunbookAccount | undefined): Promise<void> {
  if (account) {
    const rmAsRun = spawn('rm', ['-rf', '--', dir], { stdio: 'ignore', ...account });
    await once(rmAsRun, 'close').catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
}
