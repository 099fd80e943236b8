import type { ContainerGroups } from '../containers/index.js';
import { isTerminal } from '../core/execution.js';
import { GROUP_TAGS } from '../core/isolation.js';
import type { ExecutionRepository } from '../storage/index.js';

export interface OrphanGroupsOptions {
  readonly groups: Pick<ContainerGroups, 'list' | 'delete'>;
  readonly executions: Pick<ExecutionRepository, 'get'>;
  /** How long past its run's timeout a group may live (start time, kill grace) before it is an orphan. */
  readonly graceMs: number;
  readonly now?: number;
  /** A group that could not be deleted; the sweep goes on with the others, and tries it again next tick. */
  readonly onError?: (name: string, err: unknown) => void;
}

export interface SweptGroup {
  readonly name: string;
  readonly execId: string | null;
  readonly reason: string;
}

/**
 * Container groups of isolated runs that no worker will delete: their worker died mid-run (the group
 * outlives its run's timeout and grace), its delete failed after recording the outcome (the run ended, not
 * abandoned), or the run is gone. An `abandoned` run's group is left until its timeout: the worker may only
 * have been out of touch, and its runbook still running. Returns what was deleted; a group whose delete
 * fails (a lock, a missing right) goes to `onError` and does not hold up the ones listed after it.
 */
export async function sweepOrphanGroups(options: OrphanGroupsOptions): Promise<SweptGroup[]> {
  const now = options.now ?? Date.now();
  const swept: SweptGroup[] = [];
  for (const group of await options.groups.list()) {
    const execId = group.tags[GROUP_TAGS.execId] ?? null;
    const createdAt = Date.parse(group.tags[GROUP_TAGS.createdAt] ?? '');
    const timeoutMs = Number(group.tags[GROUP_TAGS.timeoutMs]);
    const overdue =
      Number.isFinite(createdAt) && Number.isFinite(timeoutMs) && now - createdAt > timeoutMs + options.graceMs;
    // past its timeout a group goes whatever its run says: no read for it
    const run = overdue || execId === null ? null : ((await options.executions.get(execId))?.execution ?? null);
    const reason = overdue
      ? `it outlived its run's timeout of ${Math.round(timeoutMs / 1000)} s`
      : run === null
        ? 'its run does not exist'
        : isTerminal(run.status) && run.status !== 'abandoned'
          ? `its run ended ${run.status} and its worker did not delete it`
          : null;
    if (reason === null) continue;
    try {
      await options.groups.delete(group.name);
      swept.push({ name: group.name, execId, reason });
    } catch (err) {
      options.onError?.(group.name, err);
    }
  }
  return swept;
}
