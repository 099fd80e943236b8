import type { Delivery, Notification, Notifier } from '../core/notification.js';
import { checkNotifierOptions, DEFAULT_TIMEOUT_MS, giveUp, oneLine, redacted } from './delivery.js';
import { approvalBlocks, approvalText } from './slack-approval.js';
import type { SlackClient } from './slack-client.js';
import { createSlackClient, slackFailure } from './slack-client.js';
import type { SlackBlock } from './slack-text.js';
import { codeBlock, field, fitEscaped, LIMIT, linkButton, mrkdwn } from './slack-text.js';

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
  /**
   * Approve / Reject buttons on pending approval messages, default false. Only with Slack interactivity
   * set up (`SLACK_SIGNING_SECRET`): Slack sends the clicks to `POST /api/slack/interactions`.
   */
  interactive?: boolean;
}

const DEFAULT_API_URL = 'https://slack.com/api/';

const ICON: Record<Notification['action'], string> = {
  open: ':red_circle:',
  close: ':large_green_circle:',
  post: ':information_source:',
  approval: ':hourglass_flowing_sand:',
};

/**
 * Posts one Block Kit message per run outcome with `chat.postMessage`. `open` and `post` start a message (a
 * reply when the routing already has a thread); `close` and `note` reply in `threadTs` so follow-ups stay
 * under the first message, or start one when there is no thread yet. `approval` posts a gated run's
 * approval message, or updates it in place (`chat.update`) when `updateTs` names it. `ref` is the message
 * `ts`, `channel` its channel ID.
 */
export class SlackNotifier implements Notifier {
  readonly name = 'slack';
  readonly #client: SlackClient;
  readonly #token: string;
  readonly #defaultChannel: string;
  readonly #timeoutMs: number;
  readonly #interactive: boolean;

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
    this.#interactive = options.interactive ?? false;
    this.#client = createSlackClient({ token: options.token, apiUrl, timeoutMs });
  }

  async send(notification: Notification): Promise<Delivery> {
    const channel = notification.channel ?? this.#defaultChannel;
    try {
      if (notification.action === 'approval') return await this.#sendApproval(notification, channel);
      const result = await (await this.#client()).chat.postMessage({
        channel,
        text: fallbackText(notification),
        blocks: toBlocks(notification),
        // every action threads when there is a thread: follow-ups belong under the first message
        ...(notification.threadTs ? { thread_ts: notification.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      return { ok: true, ref: result.ts ?? null, ...(result.channel ? { channel: result.channel } : {}) };
    } catch (err) {
      return redacted(slackFailure(err, channel, this.#timeoutMs), this.#token);
    }
  }

  async #sendApproval(n: Notification, channel: string): Promise<Delivery> {
    if (!n.approval) return giveUp('slack: an approval message needs its approval summary');
    const content = {
      channel,
      text: approvalText(n, n.approval),
      blocks: approvalBlocks(n, n.approval, this.#interactive),
    };
    const result = n.updateTs
      ? await (await this.#client()).chat.update({ ...content, ts: n.updateTs })
      : await (await this.#client()).chat.postMessage({ ...content, unfurl_links: false, unfurl_media: false });
    return { ok: true, ref: result.ts ?? null, ...(result.channel ? { channel: result.channel } : {}) };
  }
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
  const open = linkButton('open-run', 'Open run', n.link);
  if (open) blocks.push({ type: 'actions', elements: [open] });
  return blocks;
}

/** Notification and screen-reader text, where blocks are not rendered. */
function fallbackText(n: Notification): string {
  const where = n.resourceId ? ` on ${n.resourceId}` : '';
  return fitEscaped(`${n.status}: ${oneLine(n.schemaName)}${where}`, LIMIT.text);
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m ${seconds % 60}s` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
