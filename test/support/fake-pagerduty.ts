import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { FaultSwitch, listenOnLoopback, retryAfterHeaders } from './fake-server.js';

/** One Events API call as the fake received it, refused ones included. */
export interface FakePagerDutyRequest {
  readonly method: string;
  readonly url: string;
  /** Parsed JSON body; undefined when it was not JSON. */
  readonly body: unknown;
}

/** An event the fake accepted, as sent. */
export interface FakePagerDutyEvent {
  readonly event_action: 'trigger' | 'acknowledge' | 'resolve';
  readonly dedup_key: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details?: unknown;
  };
  readonly client?: string;
  readonly client_url?: string;
  readonly links?: readonly { readonly href: string; readonly text?: string }[];
}

/** What PagerDuty keeps per dedup key: an alert that triggers, takes repeats into its log, and resolves. */
export interface FakePagerDutyIncident {
  readonly dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** The summary and severity of the trigger that opened it. */
  readonly summary: string;
  readonly severity: string;
  /** Every event applied to it, the opening trigger first. */
  readonly events: FakePagerDutyEvent[];
}

export interface FakePagerDuty {
  /** Pass as `eventsUrl`: `http://127.0.0.1:<port>`. */
  readonly eventsUrl: string;
  /** A routing key the fake accepts (32 characters, like PagerDuty's). */
  readonly routingKey: string;
  /** Keys the fake accepts; any other is refused with 400 as PagerDuty does. */
  readonly validRoutingKeys: Set<string>;
  readonly requests: readonly FakePagerDutyRequest[];
  /** Every incident ever opened, oldest first. */
  readonly incidents: readonly FakePagerDutyIncident[];
  /** Incidents with this dedup key, oldest first (a resolved one and the one a later trigger opened). */
  incidentsFor(dedupKey: string): FakePagerDutyIncident[];
  /** The next `count` calls answer 429, with `Retry-After: retryAfterSeconds` unless null. */
  rateLimitNext(count: number, retryAfterSeconds: number | null): void;
  /** The next `count` calls answer this HTTP status (default 500). */
  failNext(count: number, status?: number): void;
  /** The next `count` calls are read and never answered (until close). */
  hangNext(count: number): void;
  close(): Promise<void>;
}

const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);
const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/**
 * A loopback PagerDuty Events API v2 (`POST /v2/enqueue`), answering as PagerDuty does: 202
 * `{ status: 'success', message: 'Event processed', dedup_key }`, and 400 `{ status: 'invalid event', message,
 * errors }` for a bad routing key or event. It applies events at once, so a test can read the incident after.
 */
export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  const routingKey = newRoutingKey();
  const validRoutingKeys = new Set([routingKey]);
  const requests: FakePagerDutyRequest[] = [];
  const incidents: FakePagerDutyIncident[] = [];
  const faults = new FaultSwitch();

  const json = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  const invalid = (res: ServerResponse, errors: string[]) =>
    json(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors });

  const enqueue = (res: ServerResponse, body: unknown) => {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalid(res, ['Malformed JSON']);
    const event = body as Record<string, unknown>;
    const key = typeof event.routing_key === 'string' ? event.routing_key : '';
    if (key.length !== 32) return invalid(res, ["Length of 'routing_key' is incorrect (should be 32 characters)"]);
    if (!validRoutingKeys.has(key)) return invalid(res, ['Invalid routing key']);
    const action = event.event_action;
    if (typeof action !== 'string' || !ACTIONS.has(action)) {
      return invalid(res, ["'event_action' is invalid (must be one of: 'trigger', 'acknowledge' or 'resolve')"]);
    }
    const given = typeof event.dedup_key === 'string' && event.dedup_key !== '' ? event.dedup_key : null;
    if (given !== null && given.length > 255) return invalid(res, ["'dedup_key' is too long (max 255)"]);
    if (action !== 'trigger' && given === null) return invalid(res, ["'dedup_key' is missing or blank"]);
    const dedupKey = given ?? randomBytes(16).toString('hex');
    const open = incidents.find((i) => i.dedupKey === dedupKey && i.status !== 'resolved');

    if (action === 'trigger') {
      const payload = event.payload as Record<string, unknown> | undefined;
      const errors: string[] = [];
      if (typeof payload?.summary !== 'string' || payload.summary.trim() === '') {
        errors.push("'payload.summary' is missing or blank");
      }
      if (typeof payload?.source !== 'string' || payload.source.trim() === '') {
        errors.push("'payload.source' is missing or blank");
      }
      if (typeof payload?.severity !== 'string' || !SEVERITIES.has(payload.severity)) {
        errors.push(
          "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
        );
      }
      if (errors.length > 0) return invalid(res, errors);
      const accepted = { ...event, dedup_key: dedupKey } as unknown as FakePagerDutyEvent;
      if (open) {
        // a repeat trigger goes into the open alert's log instead of paging again
        open.events.push(accepted);
      } else {
        incidents.push({
          dedupKey,
          status: 'triggered',
          // PagerDuty cuts the summary instead of refusing it
          summary: String(payload?.summary).slice(0, 1024),
          severity: String(payload?.severity),
          events: [accepted],
        });
      }
    } else if (open) {
      open.events.push({ ...event, dedup_key: dedupKey } as unknown as FakePagerDutyEvent);
      open.status = action === 'resolve' ? 'resolved' : 'acknowledged';
    }
    // acknowledging or resolving what is not open is accepted and does nothing, as PagerDuty does
    return json(res, 202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = safeJson(Buffer.concat(chunks).toString('utf8'));
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });

      const fault = faults.next();
      if (fault?.kind === 'hang') return;
      if (fault?.kind === 'rate-limit') {
        const headers = retryAfterHeaders(fault.retryAfterSeconds);
        return json(
          res,
          429,
          { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' },
          headers,
        );
      }
      if (fault?.kind === 'status')
        return json(res, fault.status, { status: 'error', message: 'Internal Server Error' });

      if (req.method === 'POST' && new URL(req.url ?? '/', 'http://fake').pathname === '/v2/enqueue') {
        return enqueue(res, body);
      }
      return json(res, 404, { status: 'not found', message: 'Not Found' });
    });
  });
  const { port, close } = await listenOnLoopback(server);

  return {
    eventsUrl: `http://127.0.0.1:${port}`,
    routingKey,
    validRoutingKeys,
    requests,
    incidents,
    incidentsFor: (dedupKey) => incidents.filter((i) => i.dedupKey === dedupKey),
    rateLimitNext: (count, retryAfterSeconds) => faults.rateLimitNext(count, retryAfterSeconds),
    failNext: (count, status) => faults.failNext(count, status),
    hangNext: (count) => faults.hangNext(count),
    close,
  };
}

/** A key shaped like an Events API v2 integration key (32 hex characters). */
export function newRoutingKey(): string {
  return randomBytes(16).toString('hex');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
