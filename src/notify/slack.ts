import type { ChatPostMessageArguments } from '@slack/web-api';
import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import type { Delivery, Notification, Notifier } from '../core/notification.js';
import {
  checkNotifierOptions,
  DEFAULT_RATE_LIMIT_RETRY_MS,
  DEFAULT_TIMEOUT_MS,
  giveUp,
  networkCause,
  oneLine,
  redacted,
  retry,
  retryAfterMs,
} from './delivery.js';

/** Options of {@link SlackNotifier}. */
export interface SlackNotifierOptions {
  /** Bot token (`xoxb-…`) with `chat:write`. Never appears in a Delivery's reason. */
  token: string;
  /**
   * Web API base URL. Default `https://slack.com/api/`. Must be https; plain http is accepted on loopback only
   * (test servers), so a typo cannot send the token in clear.
   */
  apiUrl?: string;
  /** Channel (ID or `#name`) for notifications whose routing chose none. */
  defaultChannel: string;
  /** Per-request timeout in ms, default 10000. A timed-out post is retryable. */
  timeoutMs?: number;
}

const DEFAULT_API_URL = 'https://slack.com/api/';

/** Slack's documented transient errors; any other `{ ok: false }` would fail the same way again. */
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Block Kit limits (characters): a message over them is refused whole with `invalid_blocks`. */
const LIMIT = { header: 150, sectionText: 3000, field: 2000, buttonUrl: 3000, text: 3000 } as const;

const ICON: Record<Notification['action'], string> = {
  open: ':red_circle:',
  close: ':large_green_circle:',
  note: ':repeat:',
  post: ':information_source:',
};

type SlackBlock = Extract<ChatPostMessageArguments, { blocks: unknown }>['blocks'][number];

/**
 * Posts one Block Kit message per run outcome with `chat.postMessage`. `open` and `post` start a message (a
 * reply when the routing already has a thread); `close` and `note` reply in `threadTs` so follow-ups stay
 * under the first message, or start one when there is no thread yet. `ref` is the message `ts`.
 */
export class SlackNotifier implements Notifier {
  readonly name = 'slack';
  readonly #client: WebClient;
  readonly #token: string;
  readonly #defaultChannel: string;
  readonly #timeoutMs: number;

  constructor(options: SlackNotifierOptions) {
    const apiUrl = options.apiUrl ?? DEFAULT_API_URL;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    checkNotifierOptions(
      'Slack',
      { credential: ['token', options.token], timeoutMs, url: ['apiUrl', apiUrl] },
      options.defaultChannel ? [] : ['defaultChannel is empty'],
    );
    this.#token = options.token;
    this.#defaultChannel = options.defaultChannel;
    this.#timeoutMs = timeoutMs;
    this.#client = new WebClient(options.token, {
      slackApiUrl: apiUrl,
      // retries go through our queue, which sees the Delivery; the SDK's own would hide a failure for minutes
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      // every failure comes back as a Delivery; the SDK's warnings would only log it a second time
      logLevel: LogLevel.ERROR,
    });
  }

  async send(notification: Notification): Promise<Delivery> {
    const channel = notification.channel ?? this.#defaultChannel;
    try {
      const result = await this.#client.chat.postMessage({
        channel,
        text: fallbackText(notification),
        blocks: toBlocks(notification),
        // every action threads when there is a thread: follow-ups belong under the first message
        ...(notification.threadTs ? { thread_ts: notification.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      return { ok: true, ref: result.ts ?? null };
    } catch (err) {
      return redacted(toDelivery(err, channel, this.#timeoutMs), this.#token);
    }
  }
}

/** Slack's three control characters, as Slack asks; anything else is shown as typed. */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The message's blocks: header, facts, error, log tail, run link. Every value goes through escapeSlack. */
function toBlocks(n: Notification): SlackBlock[] {
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      // a header is one line of plain text
      text: {
        type: 'plain_text',
        text: fitEscaped(`${ICON[n.action]} ${oneLine(n.status)} · ${oneLine(n.schemaName)}`, LIMIT.header),
        emoji: true,
      },
    },
    {
      type: 'section',
      fields: [
        field('Runbook', n.runbook),
        field('Resource', n.resourceId),
        field('Alert', n.alertRule === null ? null : `${n.alertRule}${n.severity ? ` (${n.severity})` : ''}`),
        field('Duration', n.durationMs === null ? null : formatDuration(n.durationMs)),
        field('Exit code', n.exitCode === null ? null : String(n.exitCode)),
        field('Team', n.team),
      ],
    },
  ];
  if (n.error) {
    blocks.push({ type: 'section', text: mrkdwn(`*Error*\n${fitEscaped(n.error, LIMIT.sectionText - 10)}`) });
  }
  if (n.logTail.trim()) {
    blocks.push({ type: 'section', text: mrkdwn(codeBlock(n.logTail, LIMIT.sectionText)) });
  }
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`Run \`${fitEscaped(n.execId, 200)}\` · schema \`${fitEscaped(n.schemaId, 200)}\``)],
  });
  if (/^https?:\/\//i.test(n.link) && n.link.length <= LIMIT.buttonUrl) {
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'open-run', text: { type: 'plain_text', text: 'Open run' }, url: n.link },
      ],
    });
  }
  return blocks;
}

/**
 * The end of the log in a code block of at most `max` characters: the last lines say why it failed. Slack has
 * no escape for backticks, so a zero-width space breaks any run that would close the block early.
 */
function codeBlock(log: string, max: number): string {
  const ZWSP = '\u200b';
  let guarded = log.replace(/`(?=`)/g, `\`${ZWSP}`);
  // a backtick next to the fence would merge with it
  if (guarded.startsWith('`')) guarded = `${ZWSP}${guarded}`;
  if (guarded.endsWith('`')) guarded = `${guarded}${ZWSP}`;
  return `\`\`\`${fitEscaped(guarded, max - 6, 'tail')}\`\`\``;
}

/** Notification and screen-reader text, where blocks are not rendered. */
function fallbackText(n: Notification): string {
  const where = n.resourceId ? ` on ${n.resourceId}` : '';
  return fitEscaped(`${n.status}: ${oneLine(n.schemaName)}${where}`, LIMIT.text);
}

/** `verbatim` stops Slack from turning data that looks like a URL, #channel or @name into a link or mention. */
function mrkdwn(text: string) {
  return { type: 'mrkdwn' as const, text, verbatim: true };
}

function field(label: string, value: string | null) {
  return mrkdwn(`*${label}*\n${value === null ? '—' : fitEscaped(value, LIMIT.field - label.length - 5)}`);
}

/**
 * `text` escaped and cut to at most `max` characters after escaping, from the end when `keep` is `tail`. The
 * cut happens before escaping so it never splits an entity.
 */
function fitEscaped(text: string, max: number, keep: 'head' | 'tail' = 'head'): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return escaped;
  const chars = Array.from(text);
  if (keep === 'tail') chars.reverse();
  const kept: string[] = [];
  let length = 1; // the ellipsis
  for (const char of chars) {
    const size = escapeSlack(char).length;
    if (length + size > max) break;
    kept.push(escapeSlack(char));
    length += size;
  }
  return keep === 'tail' ? `…${kept.reverse().join('')}` : `${kept.join('')}…`;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m ${seconds % 60}s` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** One Slack failure as a Delivery. Throws only what is neither Slack's answer nor the network: a bug. */
function toDelivery(err: unknown, channel: string, timeoutMs: number): Delivery {
  if (err instanceof WebAPIRateLimitedError) {
    return retry('slack: rate limited (HTTP 429)', err.retryAfter * 1000);
  }
  if (err instanceof WebAPIPlatformError) {
    const code = String(err.data.error).slice(0, 200);
    if (code === 'ratelimited') return retry('slack: ratelimited', DEFAULT_RATE_LIMIT_RETRY_MS);
    if (TRANSIENT_ERRORS.has(code)) return retry(`slack: ${code}`, null);
    const where = code === 'channel_not_found' || code === 'not_in_channel' || code === 'is_archived';
    return giveUp(`slack: ${code}${where ? ` (channel ${channel})` : ''}`);
  }
  if (err instanceof WebAPIHTTPError) {
    if (err.statusCode >= 500 || err.statusCode === 408) {
      return retry(`slack: HTTP ${err.statusCode}`, retryAfterMs(err.headers['retry-after'] ?? null));
    }
    return giveUp(`slack: HTTP ${err.statusCode} ${err.statusMessage}`);
  }
  if (err instanceof WebAPIRequestError) {
    return err.original.name === 'TimeoutError' || err.original.name === 'AbortError'
      ? retry(`slack: no answer within ${timeoutMs} ms`, null)
      : retry(`slack: network error (${networkCause(err.original)})`, null);
  }
  // the SDK refuses a 429 without a usable Retry-After with a plain Error instead of its rate-limit error
  if (err instanceof Error && err.message.startsWith('Retry header did not contain a valid timeout')) {
    return retry('slack: rate limited (HTTP 429)', DEFAULT_RATE_LIMIT_RETRY_MS);
  }
  throw err;
}
