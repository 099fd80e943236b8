import type { Execution } from '../../src/core/execution.js';
import { ExecId, isTerminal } from '../../src/core/execution.js';
import { JobMessage } from '../../src/core/job-message.js';
import { formatJsonPath } from '../../src/core/runbook-schema.js';
import type { ExecutionRepository, ReceivedMessage, ResultQueue, WorkerQueue } from '../../src/storage/index.js';
import { recordOutcome } from '../run/index.js';
import { announceResult } from './announce.js';

/** A delivery's job, or why it is poison (and the run it still names, if any). */
export type ReadJob =
  | { readonly ok: true; readonly job: JobMessage }
  | { readonly ok: false; readonly reason: string; readonly execId: string | null };

/** Reads a delivery as a JobMessage; an unreadable one may still name its run, which then ends saying why. */
export function readJob(message: ReceivedMessage): ReadJob {
  const parsed = JobMessage.safeParse(message.body);
  if (parsed.success) return { ok: true, job: parsed.data };
  const issue = parsed.error.issues[0];
  const reason = `not a JobMessage (${issue ? `${formatJsonPath(issue.path)}: ${issue.message}` : 'unreadable'})`;
  const named = ExecId.safeParse((message.body as { execId?: unknown } | undefined)?.execId);
  return { ok: false, reason, execId: named.success ? named.data : null };
}

export interface GiveUpDeps {
  readonly executions: ExecutionRepository;
  readonly queue: WorkerQueue;
  readonly results: Pick<ResultQueue, 'publish'>;
}

/**
 * Poison: parks the message, and gives its run (if still waiting or running) a terminal status saying why.
 * A finished run's message that keeps coming back is one whose result is not announced yet: announced.
 */
export async function giveUp(deps: GiveUpDeps, message: ReceivedMessage, execId: string | null, reason: string) {
  const current = execId ? await deps.executions.get(execId) : null;
  if (current && isTerminal(current.execution.status)) {
    await announceResult(deps.results, current.execution);
    await deps.queue.delete(message);
    return;
  }
  if (current && (current.execution.status === 'accepted' || current.execution.status === 'running')) {
    const ended: Execution = {
      ...current.execution,
      status: 'error',
      finishedAt: new Date().toISOString(),
      error: reason,
    };
    await recordOutcome(deps.executions, current, ended);
    await announceResult(deps.results, ended);
  }
  await deps.queue.moveToPoison(message, reason);
}
