import type { WebClient } from '@slack/web-api';
import type { Delivery } from '../core/notification.js';
import { giveUp, networkCause, retry } from './delivery.js';

/** Slack's documented transient errors; any other `{ ok: false }` would fail the same way again. */
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

type SlackSdk = typeof import('@slack/web-api');

/**
 * The SDK, imported on the first message rather than at start: it and its HTTP stack weigh ~10 MB of memory,
 * and most processes (every worker, an app without Slack) never send one. `loaded` is set once it is in,
 * which it is whenever a Slack error can exist.
 */
let sdk: Promise<SlackSdk> | undefined;
let loaded: SlackSdk | undefined;
function loadSdk(): Promise<SlackSdk> {
  sdk ??= import('@slack/web-api').then((module) => {
    loaded = module;
    return module;
  });
  return sdk;
}

/** A Web API client made on first use; call it inside the `try` whose `catch` maps failures. */
export type SlackClient = () => Promise<WebClient>;

/** The Web API client every Slack caller uses: one try per call, a timeout, failures as values. */
export function createSlackClient(options: { token: string; apiUrl: string; timeoutMs: number }): SlackClient {
  let client: Promise<WebClient> | undefined;
  return () => {
    client ??= loadSdk().then(
      ({ WebClient, LogLevel }) =>
        new WebClient(options.token, {
          slackApiUrl: options.apiUrl,
          // retries go through our queue, which sees the Delivery; the SDK's own would hide a failure for minutes
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          timeout: options.timeoutMs,
          // every failure comes back as a Delivery; the SDK's warnings would only log it a second time
          logLevel: LogLevel.ERROR,
        }),
    );
    return client;
  };
}

/**
 * One Slack failure as a Delivery; `channel` is named in channel errors. Throws only what is neither Slack's
 * answer nor the network: a bug.
 */
export function slackFailure(err: unknown, channel: string | null, timeoutMs: number): Delivery {
  // no SDK yet, no Slack error: what failed was loading it, a bug
  if (!loaded) throw err;
  const { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } = loaded;
  if (err instanceof WebAPIRateLimitedError) {
    return retry('slack: rate limited (HTTP 429)');
  }
  if (err instanceof WebAPIPlatformError) {
    const code = String(err.data.error).slice(0, 200);
    if (code === 'ratelimited') return retry('slack: ratelimited');
    if (TRANSIENT_ERRORS.has(code)) return retry(`slack: ${code}`);
    const where = code === 'channel_not_found' || code === 'not_in_channel' || code === 'is_archived';
    return giveUp(`slack: ${code}${where && channel ? ` (channel ${channel})` : ''}`);
  }
  if (err instanceof WebAPIHTTPError) {
    if (err.statusCode >= 500 || err.statusCode === 408) {
      return retry(`slack: HTTP ${err.statusCode}`);
    }
    return giveUp(`slack: HTTP ${err.statusCode} ${err.statusMessage}`);
  }
  if (err instanceof WebAPIRequestError) {
    return err.original.name === 'TimeoutError' || err.original.name === 'AbortError'
      ? retry(`slack: no answer within ${timeoutMs} ms`)
      : retry(`slack: network error (${networkCause(err.original)})`);
  }
  // the SDK refuses a 429 without a usable Retry-After with a plain Error instead of its rate-limit error
  if (err instanceof Error && err.message.startsWith('Retry header did not contain a valid timeout')) {
    return retry('slack: rate limited (HTTP 429)');
  }
  throw err;
}
