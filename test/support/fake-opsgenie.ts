import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { FaultSwitch, listenOnLoopback, retryAfterHeaders } from './fake-server.js';

/** One Alert API call as the fake received it, refused ones included. */
export interface FakeOpsgenieRequest {
  readonly method: string;
  /** Path and query as sent, e.g. `/jsm/ops/integration/v2/alerts/abc/close?identifierType=alias`. */
  readonly url: string;
  readonly authorization: string | null;
  /** Parsed JSON body; undefined when there was none or it was not JSON. */
  readonly body: unknown;
  /** The HTTP status it was answered with; null while unanswered (a hang). */
  readonly status: number | null;
}

export interface FakeOpsgenieNote {
  readonly note: string;
  readonly user: string | null;
  readonly source: string | null;
}

/** An alert as Opsgenie keeps it: one open alert per alias; repeats raise `count`. */
export interface FakeOpsgenieAlert {
  readonly id: string;
  readonly tinyId: string;
  readonly alias: string;
  readonly message: string;
  readonly description: string | null;
  readonly priority: string;
  readonly tags: readonly string[];
  readonly details: Readonly<Record<string, string>>;
  readonly entity: string | null;
  readonly source: string | null;
  status: 'open' | 'closed';
  count: number;
  readonly notes: FakeOpsgenieNote[];
}

export interface FakeOpsgenie {
  /** Pass as `apiUrl`: `http://127.0.0.1:<port>`. The JSM path `<apiUrl>/jsm/ops/integration` works too. */
  readonly apiUrl: string;
  /** An API integration key the fake accepts. */
  readonly apiKey: string;
  /** Keys the fake accepts; another UUID gets 401, anything not shaped like a key gets 422. */
  readonly validKeys: Set<string>;
  readonly requests: readonly FakeOpsgenieRequest[];
  /** Every alert ever created, oldest first. */
  readonly alerts: readonly FakeOpsgenieAlert[];
  /** The alerts with this alias, oldest first (a closed one and the open one that followed it). */
  alertsByAlias(alias: string): FakeOpsgenieAlert[];
  /** The next `count` calls answer 429, with `Retry-After: retryAfterSeconds` unless null. */
  rateLimitNext(count: number, retryAfterSeconds: number | null): void;
  /** The next `count` calls answer this HTTP status (default 500). */
  failNext(count: number, status?: number): void;
  /** The next `count` calls are read and never answered (until close). */
  hangNext(count: number): void;
  /** Every call answers `status` (default 503) for the next `durationMs`: the service is down. */
  failFor(durationMs: number, status?: number): void;
  close(): Promise<void>;
}

/** Jira Service Management serves the same API under this path. */
const JSM_PREFIX = '/jsm/ops/integration';
const KEY_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRIORITIES = new Set(['P1', 'P2', 'P3', 'P4', 'P5']);

/**
 * A loopback Opsgenie Alert API v2 (create, close), answering with Opsgenie's shapes: 202
 * `{ result, took, requestId }`, and `{ message, took, requestId }` (plus `errors` on 422) for refusals.
 * Unlike the real service it applies requests at once, so a test can read the alert right after.
 */
export async function startFakeOpsgenie(): Promise<FakeOpsgenie> {
  const apiKey = randomUUID();
  const validKeys = new Set<string>([apiKey]);
  const requests: FakeOpsgenieRequest[] = [];
  const alerts: FakeOpsgenieAlert[] = [];
  const faults = new FaultSwitch();

  const answer = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) =>
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify({ ...body, took: 0.004, requestId: randomUUID() }));
  const accepted = (res: ServerResponse) => answer(res, 202, { result: 'Request will be processed' });
  const unprocessable = (res: ServerResponse, errors: Record<string, string>) =>
    answer(res, 422, { message: 'Request body is not processable. Please check the errors.', errors });

  const find = (identifier: string, type: string): FakeOpsgenieAlert | undefined => {
    if (type === 'alias') {
      const all = alerts.filter((a) => a.alias === identifier);
      return all.find((a) => a.status === 'open') ?? all.at(-1);
    }
    if (type === 'tiny') return alerts.find((a) => a.tinyId === identifier);
    return alerts.find((a) => a.id === identifier);
  };

  const create = (res: ServerResponse, body: Record<string, unknown>) => {
    const message = typeof body.message === 'string' ? body.message.trim() : '';
    if (!message) return unprocessable(res, { message: 'Message can not be empty.' });
    const priority = body.priority ?? 'P3';
    if (typeof priority !== 'string' || !PRIORITIES.has(priority)) {
      return unprocessable(res, { priority: 'should be one of [P1, P2, P3, P4, P5]' });
    }
    // Opsgenie refuses nested or non-string detail values rather than converting them
    if (body.details !== undefined && !isStringRecord(body.details)) {
      return unprocessable(res, { details: 'Details should be a map of string key-value pairs.' });
    }
    // Opsgenie's default alias is the message: that is what deduplicates alerts sent without one
    const alias = typeof body.alias === 'string' && body.alias !== '' ? body.alias : message;
    if (alias.length > 512) return unprocessable(res, { alias: 'Alias can not be longer than 512 characters.' });
    const open = alerts.find((a) => a.alias === alias && a.status === 'open');
    if (open) {
      open.count += 1;
      return accepted(res);
    }
    alerts.push({
      id: randomUUID(),
      tinyId: String(alerts.length + 1),
      alias,
      // Opsgenie cuts the message instead of refusing it
      message: message.slice(0, 130),
      description: typeof body.description === 'string' ? body.description.slice(0, 15_000) : null,
      priority,
      tags: Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [],
      details: isStringRecord(body.details) ? body.details : {},
      entity: typeof body.entity === 'string' ? body.entity : null,
      source: typeof body.source === 'string' ? body.source : null,
      status: 'open',
      count: 1,
      notes: [],
    });
    return accepted(res);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = safeJson(raw);
      const authorization = req.headers.authorization ?? null;
      const record = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization,
        body,
        status: null as number | null,
      };
      requests.push(record);
      // a faulted call and an accepted one look alike in the log otherwise: an outage test counts what got through
      res.once('finish', () => {
        record.status = res.statusCode;
      });

      const fault = faults.next();
      if (fault?.kind === 'hang') return;
      if (fault?.kind === 'rate-limit') {
        const headers = retryAfterHeaders(fault.retryAfterSeconds);
        return answer(res, 429, { message: 'You are making too many requests! To avoid errors, slow down.' }, headers);
      }
      if (fault?.kind === 'status') return answer(res, fault.status, { message: 'Internal Server Error' });

      // credentials first, as Opsgenie checks them before the route
      const key = authorization?.startsWith('GenieKey ') ? authorization.slice(9) : null;
      if (key !== null && !KEY_SHAPE.test(key)) return answer(res, 422, { message: 'Key format is not valid!' });
      if (key === null || !validKeys.has(key)) return answer(res, 401, { message: 'Could not authenticate' });

      const url = new URL(req.url ?? '/', 'http://fake');
      const path = url.pathname.startsWith(`${JSM_PREFIX}/`) ? url.pathname.slice(JSM_PREFIX.length) : url.pathname;
      const object = body !== null && typeof body === 'object' && !Array.isArray(body);
      const fields = object ? (body as Record<string, unknown>) : {};
      if (req.method !== 'POST') return answer(res, 404, { message: 'Could not find the requested resource.' });
      if (path === '/v2/alerts') return object ? create(res, fields) : unprocessable(res, { body: 'Invalid JSON.' });

      const action = /^\/v2\/alerts\/([^/]+)\/close$/.exec(path);
      if (!action) return answer(res, 404, { message: 'Could not find the requested resource.' });
      const identifier = decodeURIComponent(action[1] ?? '');
      const alert = find(identifier, url.searchParams.get('identifierType') ?? 'id');
      if (!alert) return answer(res, 404, { message: `Alert with identifier [${identifier}] does not exist` });
      const note = typeof fields.note === 'string' ? fields.note : null;
      const by = {
        user: typeof fields.user === 'string' ? fields.user : null,
        source: typeof fields.source === 'string' ? fields.source : null,
      };
      alert.status = 'closed';
      if (note) alert.notes.push({ note, ...by });
      return accepted(res);
    });
  });
  const { port, close } = await listenOnLoopback(server);

  return {
    apiUrl: `http://127.0.0.1:${port}`,
    apiKey,
    validKeys,
    requests,
    alerts,
    alertsByAlias: (alias) => alerts.filter((a) => a.alias === alias),
    rateLimitNext: (count, retryAfterSeconds) => faults.rateLimitNext(count, retryAfterSeconds),
    failNext: (count, status) => faults.failNext(count, status),
    hangNext: (count) => faults.hangNext(count),
    failFor: (durationMs, status) => faults.failFor(durationMs, status),
    close,
  };
}

function safeJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === 'string');
}
