import { setTimeout as sleep } from 'node:timers/promises';
import type { FederatedTokenAnswer } from '../../src/core/federated-token.js';
import type { Log } from '../../src/core/log.js';
import type { RunIdentity } from '../../src/core/runbook-env.js';
import { Ticker } from '../../src/core/ticker.js';
import type { FederatedTokenClient, TokenFetch } from './federated-token-client.js';
import type { RunbookAccount } from './run-folder.js';
import { TokenFile } from './token-file.js';

export interface RunIdentityOptions {
  readonly client: FederatedTokenClient;
  readonly execId: string;
  /** The run's uid, which must own the token file; undefined: the run runs as the worker. */
  readonly account: RunbookAccount | undefined;
  readonly signal: AbortSignal;
  readonly log: Log;
  /** A line of the worker's own in the run's log. */
  readonly runLog: (line: string) => void;
  /** Pauses between attempts while the app is unavailable, in ms (default 1 s, 3 s). */
  readonly retryDelaysMs?: readonly number[];
  /** Shortest wait before a refresh, in ms (default 1000): a token that is nearly spent is not asked for in a loop. */
  readonly minRefreshMs?: number;
}

/** A run's Azure identity for as long as it runs; `close()` ends the refreshes and removes the token. */
export interface HeldRunIdentity {
  /** Null: the deployment gives this run none (the app answered 204). */
  readonly identity: RunIdentity | null;
  /**
   * The token `identity.tokenFile` holds now (null without an identity), for the worker's own commands that
   * act as the run: with a uid of its own, that file is the run's and the worker cannot read it.
   */
  currentToken(): string | null;
  close(): Promise<void>;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 3_000];
const NOTHING_HELD: HeldRunIdentity = { identity: null, currentToken: () => null, close: async () => undefined };

/**
 * Asks the app for the run's token, retrying while it is unavailable, and writes it where the runbook
 * reads it. `{ error }` when the run must not start: the app alone knows whether the run has an identity,
 * and a runbook that needs one would otherwise fail later and confusingly, having maybe done half its
 * work. A 204 is an answer: the run starts without an Azure identity.
 */
export async function holdRunIdentity(options: RunIdentityOptions): Promise<HeldRunIdentity | { error: string }> {
  const first = await fetchWithRetries(options);
  if (first.kind === 'none') return NOTHING_HELD;
  if (first.kind !== 'token') return { error: `the run's Azure identity could not be fetched: ${first.reason}` };
  const file = await TokenFile.create(options.execId, options.account);
  try {
    await file.write(first.answer.token);
  } catch (err) {
    await file.remove().catch(() => undefined);
    throw err;
  }
  const refresher = new TokenRefresher(options, file, first.answer);
  const { clientId, tenantId, authorityHost } = first.answer;
  return {
    identity: { tokenFile: file.path, clientId, tenantId, authorityHost },
    currentToken: () => file.current,
    async close() {
      await refresher.stop();
      await file.remove();
    },
  };
}

async function fetchWithRetries(options: RunIdentityOptions): Promise<TokenFetch> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  let result = await options.client.fetchToken(options.execId, options.signal);
  for (const delayMs of delays) {
    if (result.kind !== 'unavailable' || options.signal.aborted) break;
    options.log('warn', `run ${options.execId}: ${result.reason}; asking again in ${delayMs} ms`);
    // an abort (cancel, shutdown) ends the pause; the loop then stops on options.signal.aborted
    await sleep(delayMs, undefined, { signal: options.signal }).catch(() => undefined);
    result = await options.client.fetchToken(options.execId, options.signal);
  }
  return result;
}

/**
 * Keeps the token file fresh: a new token at two thirds of the current one's life, and while the app is
 * unavailable, again at a third of what is left, until it expires. A refusal (the run is no longer
 * running, say) ends the refreshes.
 */
class TokenRefresher {
  private readonly ticker: Ticker;
  private expiresAtMs: number;
  private nextMs: number;
  /** A refresh failed and none succeeded since: the run's log has said so once, and hears when it ends. */
  private failing = false;

  constructor(
    private readonly options: RunIdentityOptions,
    private readonly file: TokenFile,
    answer: FederatedTokenAnswer,
  ) {
    this.expiresAtMs = Date.parse(answer.expiresOn);
    this.nextMs = this.lifeShare(2 / 3);
    this.ticker = new Ticker(
      () => this.refresh(),
      () => this.nextMs,
    ).start();
  }

  stop(): Promise<void> {
    return this.ticker.stop();
  }

  private lifeShare(share: number): number {
    return Math.max(this.options.minRefreshMs ?? 1_000, (this.expiresAtMs - Date.now()) * share);
  }

  private async refresh(): Promise<void> {
    const { execId, client, signal } = this.options;
    const result = await client.fetchToken(execId, signal);
    if (result.kind === 'token') {
      await this.file.write(result.answer.token).then(
        () => {
          this.expiresAtMs = Date.parse(result.answer.expiresOn);
          this.nextMs = this.lifeShare(2 / 3);
          if (this.failing) this.report(`the run's Azure token is refreshed again, until ${this.expiry()}`);
          this.failing = false;
        },
        (err: unknown) => this.failed(`the new token could not be written: ${String(err)}`),
      );
      return;
    }
    if (signal.aborted) return;
    if (result.kind === 'unavailable') return this.failed(result.reason);
    // refused, or no identity any more: asking again gets the same answer
    const reason = result.kind === 'none' ? 'the app gives this run no Azure identity any more' : result.reason;
    this.report(`the run's Azure token is no longer refreshed (${reason}); it expires at ${this.expiry()}`);
    void this.ticker.stop();
  }

  private failed(reason: string): void {
    const expired = Date.now() >= this.expiresAtMs;
    this.nextMs = expired ? (this.options.retryDelaysMs?.at(-1) ?? 3_000) : this.lifeShare(1 / 3);
    // once per streak: a run's log must not fill with the same line every few seconds
    if (this.failing) return;
    this.failing = true;
    this.report(
      expired
        ? `the run's Azure token expired at ${this.expiry()} and could not be refreshed (${reason}); still trying`
        : `the run's Azure token could not be refreshed (${reason}); trying again before it expires at ${this.expiry()}`,
    );
  }

  private report(line: string): void {
    this.options.log('warn', `run ${this.options.execId}: ${line}`);
    this.options.runLog(line);
  }

  private expiry(): string {
    return new Date(this.expiresAtMs).toISOString();
  }
}
