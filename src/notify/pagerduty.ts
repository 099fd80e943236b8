import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Delivery, Notification, Notifier } from '../core/notification.js';
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

/** Options of {@link PagerDutyNotifier}. */
export interface PagerDutyNotifierOptions {
  /** Integration key of an Events API v2 integration (32 characters). Never in a reason. */
  routingKey: string;
  /**
   * Events API base URL; `/v2/enqueue` is appended. Default `https://events.pagerduty.com` (EU accounts:
   * `https://events.eu.pagerduty.com`). Must be https; plain http is accepted on loopback only (test servers).
   */
  eventsUrl?: string;
  /** Per-request timeout in ms, default 10000. A timed-out request is retryable. */
  timeoutMs?: number;
  /** The fetch to use, default the global one. */
  fetch?: typeof fetch;
}

/** PagerDuty's event severities. */
type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

const DEFAULT_EVENTS_URL = 'https://events.pagerduty.com';
/** Events API v2 limits (characters). */
const LIMIT = { summary: 1024, dedupKey: 255, source: 255, detail: 4096 };

/** The parts of the Events API's JSON answer we read: `{ status, message, dedup_key }` or `{ …, errors }`. */
const EventsAnswer = z.object({
  status: z.string().optional(),
  message: z.string().optional(),
  dedup_key: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
});

/**
 * Pages through the PagerDuty Events API v2. The dedup key is the notification's, so repeats of one schema
 * on one resource land on one alert: `open` triggers, `note` triggers again (PagerDuty adds it to the open
 * alert's log instead of paging twice), `close` resolves. `post` sends nothing: PagerDuty is for pages.
 */
export class PagerDutyNotifier implements Notifier {
  readonly name = 'pagerduty';
  readonly #routingKey: string;
  readonly #enqueueUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: PagerDutyNotifierOptions) {
    const eventsUrl = options.eventsUrl ?? DEFAULT_EVENTS_URL;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    checkNotifierOptions('PagerDuty', {
      credential: ['routingKey', options.routingKey],
      timeoutMs,
      url: ['eventsUrl', eventsUrl],
    });
    this.#routingKey = options.routingKey;
    this.#enqueueUrl = `${eventsUrl.replace(/\/+$/, '')}/v2/enqueue`;
    this.#timeoutMs = timeoutMs;
    this.#fetch = options.fetch ?? fetch;
  }

  async send(notification: Notification): Promise<Delivery> {
    const dedupKey = dedupKeyOf(notification.dedupKey);
    switch (notification.action) {
      case 'open':
        return this.#enqueue('trigger', {
          ...toTrigger(notification),
          routing_key: this.#routingKey,
          dedup_key: dedupKey,
        });
      case 'close':
        return this.#enqueue('resolve', {
          routing_key: this.#routingKey,
          event_action: 'resolve',
          dedup_key: dedupKey,
        });
      // an informational post and an approval request are for Slack: a paging service has no place for them
      case 'post':
      case 'approval':
        return { ok: true, ref: null };
    }
  }

  async #enqueue(action: 'trigger' | 'resolve', event: object): Promise<Delivery> {
    const what = `pagerduty ${action}`;
    const answer = await postJson(what, {
      fetch: this.#fetch,
      url: this.#enqueueUrl,
      body: event,
      timeoutMs: this.#timeoutMs,
      secret: this.#routingKey,
    });
    if (!('response' in answer)) return answer;
    return redacted(toDelivery(what, answer.response, answer.text), this.#routingKey);
  }
}

/** PagerDuty severity of a run: Sev0/Sev1 critical, Sev2 error, Sev3 warning, Sev4 info; else error. */
function severityOf(severity: string | null): PagerDutySeverity {
  switch (severity) {
    case 'Sev0':
    case 'Sev1':
      return 'critical';
    case 'Sev2':
      return 'error';
    case 'Sev3':
      return 'warning';
    case 'Sev4':
      return 'info';
  }
  // a source that already speaks PagerDuty's words (Alertmanager's `severity` label often does) keeps them
  const word = severity?.toLowerCase();
  return word === 'critical' || word === 'warning' || word === 'info' ? word : 'error';
}

/** A dedup key PagerDuty accepts (≤ 255 characters) that is the same for every action on one notification key. */
function dedupKeyOf(key: string): string {
  return key.length <= LIMIT.dedupKey ? key : createHash('sha256').update(key).digest('hex');
}

function toTrigger(n: Notification) {
  const resource = n.resourceId ? ` on ${lastSegment(n.resourceId)}` : '';
  const error = n.error ? `: ${n.error}` : '';
  const isLink = /^https?:\/\//i.test(n.link);
  return {
    event_action: 'trigger' as const,
    payload: {
      summary: cut(oneLine(`${n.schemaName} ${n.status}${resource}${error}`), LIMIT.summary),
      // the affected system; a run without a resource is about its schema
      source: cut(n.resourceId ?? `cloudo:${n.schemaId}`, LIMIT.source),
      severity: severityOf(n.severity),
      component: n.runbook,
      class: n.schemaId,
      ...(n.team ? { group: n.team } : {}),
      custom_details: toDetails(n),
    },
    client: 'ClouDO',
    ...(isLink ? { client_url: n.link, links: [{ href: n.link, text: `ClouDO run ${n.execId}` }] } : {}),
  };
}

/** Shown as the alert's details; null facts are left out rather than shown as "null". */
function toDetails(n: Notification): Record<string, string | number> {
  const details: Record<string, string | number | null> = {
    execId: n.execId,
    schemaId: n.schemaId,
    schemaName: n.schemaName,
    runbook: n.runbook,
    status: n.status,
    resourceId: n.resourceId,
    alertRule: n.alertRule,
    severity: n.severity,
    team: n.team,
    exitCode: n.exitCode,
    durationMs: n.durationMs,
    error: n.error === null ? null : cut(n.error, LIMIT.detail),
    logTail: n.logTail,
    link: n.link,
  };
  return Object.fromEntries(
    Object.entries(details).filter((entry): entry is [string, string | number] => entry[1] !== null),
  );
}

/** One answer of the Events API as a Delivery. */
function toDelivery(what: string, response: Response, text: string): Delivery {
  const answer = parseAnswer(EventsAnswer, text);
  if (response.ok) return { ok: true, ref: answer.dedup_key ?? null };
  // 400 is how the Events API refuses a bad routing key or a malformed event: httpFailure gives up on it
  return httpFailure(
    what,
    response,
    describeAnswer(response.status, answer.message, (answer.errors ?? []).map(String)),
  );
}
