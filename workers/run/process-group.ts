import type { ChildProcess } from 'node:child_process';
import type { Stragglers } from './process-sweep.js';
import { signalStragglers } from './process-sweep.js';

/** Ends a process spawned `detached` (its own process group) and everything in that group. */
export interface GroupKiller {
  /** SIGTERM to the group, then SIGKILL after the grace period; once, however often it is called. */
  terminate(): void;
  /** SIGKILL to the group now. */
  kill(): void;
  /** Forgets the pending SIGKILL (the group ended by itself). */
  dispose(): void;
}

/**
 * The one way a worker stops what it started (a runbook, an `az` step): the whole process group, politely
 * then firmly; and the stragglers that left the group (by uid or by environment marker), with it.
 */
export function groupKiller(child: ChildProcess, graceMs: number, stragglers?: Stragglers): GroupKiller {
  let escalation: NodeJS.Timeout | undefined;
  const send = (signal: NodeJS.Signals) => {
    if (!child.pid) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the group is already gone
    }
    if (stragglers) signalStragglers(stragglers, signal);
  };
  return {
    terminate() {
      if (escalation) return;
      send('SIGTERM');
      escalation = setTimeout(() => send('SIGKILL'), graceMs);
    },
    kill: () => send('SIGKILL'),
    dispose: () => clearTimeout(escalation),
  };
}
