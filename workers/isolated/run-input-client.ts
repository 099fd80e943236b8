import { setTimeout as sleep } from 'node:timers/promises';
import type { IsolatedRunInput as RunInput } from '../../src/core/isolated-run.js';
import { IsolatedRunInput, RUN_CAPABILITY_HEADER } from '../../src/core/isolated-run.js';

/** Attempts over about half a minute: a Functions app waking from idle may take that long to answer. */
const ATTEMPTS = 6;
const FIRST_PAUSE_MS = 500;

/**
 * A one-shot process reads its run through the app, with the capability its worker gave it. Retries
 * what may pass (unreachable, 5xx, 429); a refusal (401/403/404) is final: the run ends with it.
 */
export async function fetchRunInput(
  appUrl: string,
  execId: string,
  capability: string,
  signal: AbortSignal,
): Promise<RunInput> {
  const url = `${appUrl}/api/runs/${execId}/isolated`;
  let last = '';
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(FIRST_PAUSE_MS * 2 ** (attempt - 1), undefined, { signal });
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { [RUN_CAPABILITY_HEADER]: capability },
        signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
        redirect: 'error',
      });
    } catch (err) {
      if (signal.aborted) throw err;
      last = `${new URL(url).origin} could not be reached: ${err instanceof Error ? err.message : String(err)}`;
      continue;
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      const parsed = IsolatedRunInput.safeParse(jsonOf(text));
      if (parsed.success) return parsed.data;
      throw new Error(`the app's answer is not a run: ${parsed.error.issues[0]?.message}`);
    }
    last = `the app answered ${response.status}: ${text.slice(0, 300)}`;
    if (response.status !== 429 && response.status < 500) break;
  }
  throw new Error(`could not read run ${execId} from the app: ${last}`);
}

/** A body that is not JSON reads as nothing, so the answer is refused as "not a run", not a SyntaxError. */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
