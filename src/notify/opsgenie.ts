import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Delivery, Notification, Notifier } from '../core/notification.js';
import { priorityOf } from '../core/notification.js';
import {
  checkNotifierOptions,
  cut,
  DEFAULT_TIMEOUT_MS,
  describeAnswer,
  httpFailure,
  lastSegment,
  oneLine,
  parseAnswer,
  postJson,
  redacted,
} from './delivery.js';

/** Options of {@link OpsgenieNotifier}. */
export interface OpsgenieNotifierOptions {
  /** Key of an Opsgenie (or JSM) API integration, sent as `Authorization: GenieKey <key>`. Never in a reason. */
  apiKey: string;
  /**
   * Base URL; `/v2/alerts` is appended. Default `https://api.opsgenie.com`; EU `https://api.eu.opsgenie.com`;
   * Jira Service Management `https://api.atlassian.com/jsm/ops/integration` (same payloads). Must be https;
   * plain http is accepted on loopback only (test servers).
   */
  apiUrl?: string;
  /** Per-request timeout in ms, default 10000. A timed-out request is retryable. */
  timeoutMs?: number;
  /** The fetch to use, default the global one. */
  fetch?: typeof fetch;
}

const DEFAULT_API_URL = 'https://api.opsgenie.com';
const SOURCE = 'ClouDO';
/** Alert API v2 field limits (characters); Opsgenie cuts or refuses longer values. */
const LIMIT = { message: 130, alias: 512, description: 15_000, entity: 512, tag: 50, detail: 1000, note: 25_000 };

/** The parts of Opsgenie's JSON answer we read: `{ result, took, requestId }` or `{ message, errors, … }`. */
const OpsgenieAnswer = z.object({
  result: z.string().optional(),
  message: z.string().optional(),
  errors: z.record(z.string(), z.unknown()).optional(),
  requestId: z.string().optional(),
});

type Action = 'create alert' | 'close alert';

/**
 * Pages through the Opsgenie Alert API v2 (or Jira Service Management's copy of it). The alias is the
 * notification's dedup key, so repeats of one schema on one resource add to one open alert (Opsgenie counts
 * them) and a recovery closes it. `post` sends nothing: Opsgenie is for pages, Slack for information.
 */
export class OpsgenieNotifier implements Notifier {
  readonly name = 'opsgenie';
  readonly #apiKey: string;
  readonly #alertsUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: OpsgenieNotifierOptions) {
    const apiUrl = options.apiUrl ?? DEFAULT_API_URL;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    checkNotifierOptions('Opsgenie', { credential: ['apiKey', options.apiKey], timeoutMs, url: ['apiUrl', apiUrl] });
    this.#apiKey = options.apiKey;
    this.#alertsUrl = `${apiUrl.replace(/\/+$/, '')}/v2/alerts`;
    this.#timeoutMs = timeoutMs;
    this.#fetch = options.fetch ?? fetch;
  }

  async send(notification: Notification): Promise<Delivery> {
    const alias = encodeURIComponent(aliasOf(notification.dedupKey));
    switch (notification.action) {
      case 'open':
        return this.#post('create alert', this.#alertsUrl, toAlert(notification));
      case 'close':
        return this.#post('close alert', `${this.#alertsUrl}/${alias}/close?identifierType=alias`, {
          source: SOURCE,
          user: SOURCE,
          note: cut(`Recovered: run ${notification.execId} ${notification.status}. ${notification.link}`, LIMIT.note),
        });
      // an informational post and an approval request are for Slack: a paging service has no place for them
      case 'post':
      case 'approval':
        return { ok: true, ref: null };
    }
  }

  async #post(action: Action, url: string, body: object): Promise<Delivery> {
    const answer = await postJson(`opsgenie ${action}`, {
      fetch: this.#fetch,
      url,
      headers: { authorization: `GenieKey ${this.#apiKey}` },
      body,
      timeoutMs: this.#timeoutMs,
      secret: this.#apiKey,
    });
    if (!('response' in answer)) return answer;
    return redacted(toDelivery(action, answer.response, answer.text), this.#apiKey);
  }
}

/** An alias Opsgenie accepts (≤ 512 characters) that is the same for every action on one dedup key. */
function aliasOf(dedupKey: string): string {
  return dedupKey.length <= LIMIT.alias ? dedupKey : createHash('sha256').update(dedupKey).digest('hex');
}

function toAlert(n: Notification) {
  const resource = n.resourceId ? ` on ${lastSegment(n.resourceId)}` : '';
  return {
    message: cut(oneLine(`${n.schemaName} ${n.status}${resource}`), LIMIT.message),
    alias: aliasOf(n.dedupKey),
    description: toDescription(n),
    priority: priorityOf(n.severity),
    tags: [
      'ClouDO',
      `schema:${n.schemaId}`,
      ...(n.team ? [`team:${n.team}`] : []),
      ...(n.severity ? [`severity:${n.severity}`] : []),
    ].map((tag) => cut(oneLine(tag), LIMIT.tag)),
    details: toDetails(n),
    ...(n.resourceId ? { entity: cut(n.resourceId, LIMIT.entity) } : {}),
    source: SOURCE,
  };
}

/** Link first, then the error, then the log tail; when over the limit the error is cut, never the link. */
function toDescription(n: Notification): string {
  const link = `Run: ${n.link}`;
  const log = n.logTail.trim() ? `\n\nLog tail:\n${n.logTail}` : '';
  const room = LIMIT.description - link.length - log.length - 2;
  const error = n.error ? `\n\n${cut(n.error, Math.max(room, 0))}` : '';
  return cut(`${link}${error}${log}`, LIMIT.description);
}

/** Custom properties shown on the alert; Opsgenie takes string values only. */
function toDetails(n: Notification): Record<string, string> {
  const details: Record<string, string | null> = {
    execId: n.execId,
    schemaId: n.schemaId,
    schemaName: n.schemaName,
    runbook: n.runbook,
    status: n.status,
    resourceId: n.resourceId,
    alertRule: n.alertRule,
    severity: n.severity,
    team: n.team,
    exitCode: n.exitCode === null ? null : String(n.exitCode),
    durationMs: n.durationMs === null ? null : String(n.durationMs),
    link: n.link,
  };
  return Object.fromEntries(
    Object.entries(details).flatMap(([key, value]) => (value === null ? [] : [[key, cut(value, LIMIT.detail)]])),
  );
}

/** One answer of the Alert API as a Delivery. */
function toDelivery(action: Action, response: Response, text: string): Delivery {
  const answer = parseAnswer(OpsgenieAnswer, text);
  if (response.ok) return { ok: true, ref: answer.requestId ?? null };
  const status = response.status;
  // closing what is not there (closed and gone, or never opened) leaves the state we wanted
  if (status === 404 && action === 'close alert') return { ok: true, ref: null };
  // 401 bad key, 403 key without the right, 422 refused payload: given up on by httpFailure
  return httpFailure(`opsgenie ${action}`, response, describeOpsgenie(status, answer));
}

/** `HTTP 422 Request body is not processable… (message: Message can not be empty.)` */
function describeOpsgenie(status: number, answer: Partial<z.infer<typeof OpsgenieAnswer>>): string {
  const errors = Object.entries(answer.errors ?? {}).map(([field, problem]) => `${field}: ${String(problem)}`);
  return describeAnswer(status, answer.message, errors);
}
