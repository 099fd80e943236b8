import { checkNotifierOptions, redacted } from './delivery.js';
import type { SlackClient } from './slack-client.js';
import { createSlackClient, slackFailure } from './slack-client.js';

/** Options of {@link SlackUserDirectory}. */
export interface SlackUserDirectoryOptions {
  /** Bot token (`xoxb-…`) with `users:read` and `users:read.email`. Never appears in a reason. */
  token: string;
  /** Web API base URL, default `https://slack.com/api/` (https, or http on loopback for test servers). */
  apiUrl?: string;
  /** Per-request timeout in ms, default 2000: Slack waits 3 s for the answer to a click. */
  timeoutMs?: number;
}

/** A Slack user's e-mail address (null when Slack shares none), or why it could not be read. */
export type SlackUserEmail =
  | { readonly ok: true; readonly email: string | null }
  | { readonly ok: false; readonly reason: string };

/** Who a Slack user is, by e-mail, from `users.info`: how a click in Slack is tied to a person. */
export class SlackUserDirectory {
  readonly #client: SlackClient;
  readonly #token: string;
  readonly #timeoutMs: number;

  constructor(options: SlackUserDirectoryOptions) {
    const apiUrl = options.apiUrl ?? 'https://slack.com/api/';
    const timeoutMs = options.timeoutMs ?? 2000;
    checkNotifierOptions('Slack users', { credential: ['token', options.token], timeoutMs, url: ['apiUrl', apiUrl] });
    this.#token = options.token;
    this.#timeoutMs = timeoutMs;
    this.#client = createSlackClient({ token: options.token, apiUrl, timeoutMs });
  }

  async emailOf(userId: string): Promise<SlackUserEmail> {
    try {
      const { user } = await (await this.#client()).users.info({ user: userId });
      const email = user?.profile?.email;
      return { ok: true, email: typeof email === 'string' && email.includes('@') ? email : null };
    } catch (err) {
      const failure = redacted(slackFailure(err, null, this.#timeoutMs), this.#token);
      return { ok: false, reason: failure.ok ? 'slack: no answer' : failure.reason };
    }
  }
}
