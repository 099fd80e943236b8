import http from 'node:http';
import https from 'node:https';
import { WAKE_HEADER, wakeToken } from '../core/wake-signature.js';

/**
 * Tells a live worker of a capability that a run was just queued for it. `wake` starts the nudge and
 * returns at once, so it overlaps what the caller still has to do (an audit row, its answer); `settle`,
 * before the invocation ends, waits for the nudges under way, each at most its own bound. Never throws.
 */
export interface WakeWorkers {
  wake(capability: string): void;
  settle(): Promise<void>;
}

/** No nudges (`CLOUDO_WAKE_KEY` unset, tests): runs wait for the workers' next poll. */
export const NO_WAKE: WakeWorkers = { wake: () => undefined, settle: async () => undefined };

export interface WorkerWakeOptions {
  /** `CLOUDO_WAKE_KEY`, which the workers check nudges with. */
  readonly key: string;
  /** Wake-up addresses of the live workers of a capability, best first (Table Workers, cached). */
  readonly urls: (capability: string) => Promise<readonly string[]>;
  /**
   * Longest the caller waits for the nudge (default 20 ms); past it the nudge goes on in the background
   * and the run waits for a poll at worst.
   */
  readonly waitMs?: number;
  /** Longest one nudge may take before it is dropped (default 1000 ms). */
  readonly requestTimeoutMs?: number;
}

/** Addresses tried per nudge: a dead worker's row (still fresh) must not cost more than a few refusals. */
const MAX_TRIES = 3;

/**
 * Nudges one live worker of a capability to poll now, by `POST <its wake url>` with a signed header: the
 * queue message stays the truth, so a lost nudge costs only latency. The caller awaits at most `waitMs`:
 * on a Consumption plan, work left running after a function answers may be frozen until its next call,
 * so the nudge is sent before the answer, and a loopback or in-VNet round trip (about a millisecond)
 * normally fits; a worker that does not answer costs the trigger no more than `waitMs`.
 */
export class WorkerWake implements WakeWorkers {
  private readonly agents = {
    // a fresh connection per nudge: with kept-alive ones, measured, a few nudges in 30-40 were lost to a
    // socket the listener had closed meanwhile (claim p95 ~660 ms, waiting for the 1 s poll); without them
    // p95 27 ms, for ~5 ms more p50 on loopback (npm run bench:trigger)
    'http:': new http.Agent({ keepAlive: false, maxSockets: 16 }),
    'https:': new https.Agent({ keepAlive: false, maxSockets: 16 }),
  };
  /** Nudges a worker accepted, and nudges no worker took (none known, refused, unreachable). */
  readonly counts = { delivered: 0, missed: 0 };
  /** Nudges started and not yet answered or past their wait. */
  private readonly underWay = new Set<Promise<void>>();

  constructor(private readonly options: WorkerWakeOptions) {}

  wake(capability: string): void {
    let timer: NodeJS.Timeout | undefined;
    const nudged = this.nudge(capability).then((ok) => {
      if (ok) this.counts.delivered++;
      else this.counts.missed++;
    });
    const waited: Promise<void> = Promise.race([
      nudged,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.waitMs ?? 20))),
    ]).then(() => {
      clearTimeout(timer);
      this.underWay.delete(waited);
    });
    this.underWay.add(waited);
  }

  /**
   * Resolves once every nudge started so far is answered or past its `waitMs`. On a Consumption plan,
   * what runs after a function answers may be frozen until its next call: a nudge goes before the answer.
   */
  async settle(): Promise<void> {
    await Promise.all([...this.underWay]);
  }

  private async nudge(capability: string): Promise<boolean> {
    const urls = await this.options.urls(capability).catch(() => []);
    for (const url of urls.slice(0, MAX_TRIES)) {
      if (await this.post(url, wakeToken(this.options.key, capability))) return true;
    }
    return false;
  }

  /** True when the worker took the nudge (202); false on any refusal, error or timeout. */
  private post(url: string, token: string): Promise<boolean> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return resolve(false);
      }
      const agent = target.protocol === 'https:' ? this.agents['https:'] : this.agents['http:'];
      const request = (target.protocol === 'https:' ? https : http).request(target, {
        method: 'POST',
        agent,
        headers: { [WAKE_HEADER]: token, 'content-length': '0' },
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 1_000),
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode === 202);
      });
      request.on('error', () => resolve(false));
      request.end();
    });
  }

  /** Drops kept-alive connections (tests; a process that ends drops them anyway). */
  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
