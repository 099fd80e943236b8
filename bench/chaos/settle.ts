import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Execution } from '../../src/core/execution.js';
import { isTerminal } from '../../src/core/execution.js';
import type { Storage } from '../../src/storage/index.js';
import type { Burst } from './burst.js';
import type { ScenarioResult } from './result.js';

/** Every run row, all pages. */
export async function listRuns(storage: Storage): Promise<Execution[]> {
  const runs: Execution[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await storage.executions.list({ limit: 200, continuationToken });
    runs.push(...page.executions);
    continuationToken = page.continuationToken ?? undefined;
  } while (continuationToken);
  return runs;
}

/**
 * Waits until every row is terminal and every run answered 202 has a row, or `settleMs` passed; returns
 * the rows as they are then. A storage error while polling is waited out (the scenario may have broken it).
 */
export async function settle(storage: Storage, burst: Burst, settleMs: number): Promise<Execution[]> {
  const expected = burst.answers.flatMap((a) => (a.execId ? [a.execId] : []));
  const deadline = Date.now() + settleMs;
  let runs: Execution[] = [];
  for (;;) {
    runs = await listRuns(storage).catch(() => runs);
    const ids = new Set(runs.map((r) => r.execId));
    if (runs.every((r) => isTerminal(r.status)) && expected.every((id) => ids.has(id))) return runs;
    if (Date.now() > deadline) return runs;
    await sleep(1_000);
  }
}

/**
 * Messages still in the capability's job queue (visible or not): tells a stuck run that waits for a worker
 * from one that has no message at all.
 */
export async function queuedMessages(storage: Storage, worker = 'Runbook'): Promise<number> {
  const queue = storage.clients.queue(storage.names.jobQueue(worker));
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

/** How many times each exec id is in the runbook's append file (absent: 0). */
export async function executions(appendFile: string): Promise<Map<string, number>> {
  const text = await readFile(appendFile, 'utf8').catch(() => '');
  const counts = new Map<string, number>();
  for (const id of text.split('\n').filter(Boolean)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** The common columns, from what the callers were answered, the rows at the end and the append file. */
export async function tally(input: {
  readonly scenario: string;
  readonly burst: Burst;
  readonly runs: readonly Execution[];
  readonly appendFile: string;
  readonly extra?: Record<string, number>;
  readonly notes?: readonly string[];
}): Promise<ScenarioResult> {
  const { burst, runs } = input;
  const byId = new Map(runs.map((r) => [r.execId, r]));
  const accepted = burst.answers.flatMap((a) => (a.execId ? [a.execId] : []));
  const ran = await executions(input.appendFile);
  const answers: Record<string, number> = {};
  for (const a of burst.answers) answers[String(a.status)] = (answers[String(a.status)] ?? 0) + 1;
  const socketErrors: Record<string, number> = {};
  for (const a of burst.answers) if (a.error) socketErrors[a.error] = (socketErrors[a.error] ?? 0) + 1;
  const statuses: Record<string, number> = {};
  for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const terminal = (id: string) => {
    const status = byId.get(id)?.status;
    return status !== undefined && isTerminal(status);
  };
  const allTerminal = runs.every((r) => isTerminal(r.status)) && accepted.every(terminal);
  const lastFinished = Math.max(...runs.map((r) => Date.parse(r.finishedAt ?? '') || 0));
  return {
    scenario: input.scenario,
    runs: accepted.length,
    lost: accepted.filter((id) => !terminal(id)).length,
    runTwice: [...ran.values()].filter((n) => n > 1).length,
    stuck: runs.filter((r) => !isTerminal(r.status)).length,
    timeToAllTerminalMs: allTerminal && runs.length > 0 ? lastFinished - burst.startedAt : null,
    answers,
    unavailableWithoutRetryAfter: burst.answers.filter((a) => a.status === 503 && !a.retryAfter).length,
    maxAnswerMs: Math.max(0, ...burst.answers.map((a) => a.ms)),
    rowsWithoutAnswer: runs.filter((r) => !accepted.includes(r.execId)).length,
    neverRan: accepted.filter((id) => terminal(id) && !ran.has(id)).length,
    statuses,
    extra: input.extra ?? {},
    notes: [
      ...(input.notes ?? []),
      ...(Object.keys(socketErrors).length > 0 ? [`no answer: ${JSON.stringify(socketErrors)}`] : []),
    ],
  };
}
