import { readFileSync } from 'node:fs';
import type { RunbookAccountRange } from '../../src/core/worker-settings.js';
import { signalStragglers } from './process-sweep.js';
import type { RunbookAccount } from './run-folder.js';
import { removeRunFolder } from './run-folder.js';

export type { RunbookAccount } from './run-folder.js';

/** What `/api/workers` and the banners say about who runbooks run as. */
export type RunbookIsolation = 'separate-users' | 'none';

/**
 * Capabilities a non-root worker needs to run runbooks as other users (linux/capability.h bit numbers):
 * change uid and gid at spawn, hand the run its private folder, signal the run's processes.
 */
const NEEDED_CAPABILITIES = { CAP_CHOWN: 0, CAP_KILL: 5, CAP_SETGID: 6, CAP_SETUID: 7 } as const;

/**
 * A pool of uids, one per running run. A uid of its own per run is what makes the separation whole: a
 * runbook cannot read the worker's or another run's environment and memory (/proc checks the uid), and
 * every process of the run, even one that left the process group and cleared its environment, is found
 * by its uid and killed when the run ends.
 *
 * Making a uid clean again (a last sweep, removing the run's folder as that uid) happens after the run's
 * outcome is recorded, off the path a caller waits on; the uid serves no other run until it is done.
 */
export class RunbookAccounts {
  private readonly free: number[];
  private readonly waiting: ((uid: number) => void)[] = [];
  /** Uids swept since their last run: a uid not in here may have a predecessor's processes left. */
  private readonly clean = new Set<number>();
  private readonly releasing = new Set<Promise<void>>();

  constructor(
    private readonly range: RunbookAccountRange,
    private readonly onCleanupError: (err: unknown) => void = () => undefined,
  ) {
    this.free = Array.from({ length: range.count }, (_, i) => range.firstUid + range.count - 1 - i);
  }

  /** A uid no run holds, with nothing left running under it; waits while every uid is being cleaned. */
  async acquire(): Promise<RunbookAccount> {
    const uid = this.free.pop() ?? (await new Promise<number>((resolve) => this.waiting.push(resolve)));
    // a worker that died mid-run may have left processes under it (first use after a start)
    if (!this.clean.delete(uid)) signalStragglers({ uid }, 'SIGKILL');
    return { uid, gid: this.range.gid };
  }

  /** Kills what is left under the uid, removes the run's folder, then lets the uid serve the next run. */
  release(account: RunbookAccount, runFolder: string): void {
    const done = (async () => {
      try {
        signalStragglers({ uid: account.uid }, 'SIGKILL');
        await removeRunFolder(runFolder, account);
        this.clean.add(account.uid);
      } catch (err) {
        this.onCleanupError(err);
      } finally {
        const next = this.waiting.shift();
        if (next) next(account.uid);
        else this.free.push(account.uid);
      }
    })();
    this.releasing.add(done);
    void done.finally(() => this.releasing.delete(done));
  }

  /** Resolves once every released uid is clean (worker shutdown waits for it). */
  async drain(): Promise<void> {
    await Promise.all([...this.releasing]);
  }
}

/**
 * Why this process cannot run runbooks as the accounts of `range`, or null when it can: it must not be
 * one of them, and it needs root or the capabilities above (the image grants them to the worker's node
 * binary only). Checked at start, so a worker that would run runbooks as itself refuses to start.
 */
export function separationProblem(range: RunbookAccountRange): string | null {
  const own = process.getuid?.();
  if (own === undefined) return 'runbooks can run as other users only on Linux';
  if (own >= range.firstUid && own < range.firstUid + range.count) {
    return `CLOUDO_RUNBOOK_UIDS includes the worker's own uid ${own}`;
  }
  if (own === 0) return null;
  const effective = effectiveCapabilities();
  const missing = Object.entries(NEEDED_CAPABILITIES)
    .filter(([, bit]) => (effective & (1n << BigInt(bit))) === 0n)
    .map(([name]) => name);
  return missing.length === 0
    ? null
    : `the worker (uid ${own}) lacks ${missing.join(', ')} to run runbooks as CLOUDO_RUNBOOK_UIDS: ` +
        'run the worker image as built (its node binary carries them), or unset CLOUDO_RUNBOOK_UIDS';
}

function effectiveCapabilities(): bigint {
  try {
    const hex = /^CapEff:\s+([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return hex ? BigInt(`0x${hex}`) : 0n;
  } catch {
    return 0n;
  }
}
