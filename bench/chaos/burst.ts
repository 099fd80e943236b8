import { setTimeout as sleep } from 'node:timers/promises';

/** How one trigger was answered. */
export interface Answer {
  /** HTTP status; `none` when the connection was refused or reset, `hang` when nothing came in time. */
  readonly status: number | 'none' | 'hang';
  readonly retryAfter: string | null;
  /** From sending to the answer (or the error). */
  readonly ms: number;
  /** The run's id when answered 202. */
  readonly execId: string | null;
  /** For `none`: the socket error's code (ECONNREFUSED, ECONNRESET...). */
  readonly error?: string;
}

export interface BurstOptions {
  /** `<stack url>/api/Trigger?id=...`. */
  readonly triggerUrl: () => string;
  readonly count: number;
  /** The triggers are spread evenly over this long, each sent on time whatever the earlier ones do. */
  readonly durationMs: number;
  /** An answer slower than this counts as a hang. */
  readonly answerTimeoutMs: number;
  /** Told of each answer as it comes, e.g. to act once the stack has accepted something. */
  readonly onAnswer?: (answer: Answer) => void;
}

export interface Burst {
  readonly startedAt: number;
  readonly answers: readonly Answer[];
}

/**
 * Open-loop load: trigger `i` leaves at `i * durationMs / count` however slow the answers are, as
 * independent callers (alert webhooks, cron jobs) would; a closed loop would slow down with the stack and
 * hide its trouble. `triggerUrl` is read per request, so a scenario may move the stack meanwhile.
 */
export async function burst(options: BurstOptions): Promise<Burst> {
  const startedAt = Date.now();
  const gapMs = options.durationMs / Math.max(1, options.count);
  const pending: Promise<Answer>[] = [];
  for (let i = 0; i < options.count; i++) {
    const wait = startedAt + i * gapMs - Date.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      trigger(options.triggerUrl(), options.answerTimeoutMs).then((answer) => {
        options.onAnswer?.(answer);
        return answer;
      }),
    );
  }
  return { startedAt, answers: await Promise.all(pending) };
}

async function trigger(url: string, timeoutMs: number): Promise<Answer> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    const execId = res.status === 202 ? ((JSON.parse(text) as { exec_id?: string }).exec_id ?? null) : null;
    return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: performance.now() - t0, execId };
  } catch (err) {
    const hang = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const ms = performance.now() - t0;
    if (hang) return { status: 'hang', retryAfter: null, ms, execId: null };
    const cause = err instanceof Error ? (err.cause as { code?: string } | undefined) : undefined;
    return { status: 'none', retryAfter: null, ms, execId: null, error: cause?.code ?? String(err) };
  }
}
