import { readFileSync } from 'node:fs';
import type { RunbookAccountRange } from '../src/core/settings.js';
import { signalStragglers } from './process-sweep.js';

/** The OS account one run executes as. */
export interface RunbookAccount {
  readonly uid: number;
  readonly gid: number;
}

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
 */
export class RunbookAccounts {
  private readonly free: number[];

  constructor(private readonly range: RunbookAccountRange) {
    this.free = Array.from({ length: range.count }, (_, i) => range.firstUid + range.count - 1 - i);
  }

  /** A uid no running run holds; whatever a previous run left running under it is killed first. */
  acquire(): RunbookAccount {
    const uid = this.free.pop();
    // the worker runs at most `concurrency` runs and the settings require count >= concurrency
    if (uid === undefined) throw new Error('no free runbook uid: more runs than CLOUDO_RUNBOOK_UIDS holds');
    signalStragglers({ uid }, 'SIGKILL');
    return { uid, gid: this.range.gid };
  }

  release(account: RunbookAccount): void {
    this.free.push(account.uid);
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
