import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { FaultSwitch, listenOnLoopback, retryAfterHeaders } from './fake-server.js';
import type { SlackBlockJson } from './slack-blocks.js';
import { checkBlocks } from './slack-blocks.js';

export type { SlackBlockJson, SlackTextJson } from './slack-blocks.js';
export { renderedText } from './slack-blocks.js';

/** One Web API call as the fake received it, refused ones included. */
export interface FakeSlackRequest {
  readonly path: string;
  readonly contentType: string | null;
  readonly authorization: string | null;
  /** Arguments as sent (form fields or JSON), `blocks` still a JSON string when form-encoded. */
  readonly args: Readonly<Record<string, unknown>>;
}

/** A message the fake accepted. */
export interface FakeSlackMessage {
  /** Channel ID (`C…`), as Slack answers, whatever name was sent. */
  readonly channel: string;
  readonly ts: string;
  /** The parent's ts for a reply, null for a top-level message. */
  readonly threadTs: string | null;
  readonly text: string | null;
  /** Parsed Block Kit blocks, null when none were sent. */
  readonly blocks: readonly SlackBlockJson[] | null;
  /** How many times `chat.update` changed it. */
  readonly edits: number;
}

/** One accepted `chat.update`: the message as it was before and after. */
export interface FakeSlackUpdate {
  readonly channel: string;
  readonly ts: string;
  readonly before: FakeSlackMessage;
  readonly after: FakeSlackMessage;
}

export interface FakeSlack {
  /** Pass as `apiUrl`: `http://127.0.0.1:<port>/api/`. */
  readonly apiUrl: string;
  /** A bot token the fake accepts. */
  readonly token: string;
  /** Tokens the fake accepts; any other gets `invalid_auth`, none gets `not_authed`. */
  readonly validTokens: Set<string>;
  /** Every call so far (`chat.postMessage`, `chat.update`), by `path`. */
  readonly requests: readonly FakeSlackRequest[];
  /** Accepted messages, oldest first, as they read now (after any `chat.update`). */
  readonly messages: readonly FakeSlackMessage[];
  /** Accepted `chat.update` calls, oldest first. */
  readonly updates: readonly FakeSlackUpdate[];
  /** What was posted to a click's `response_url` (`<origin>/actions/...`, as Slack's hooks are), oldest first. */
  readonly responses: readonly { readonly path: string; readonly body: unknown }[];
  /**
   * The workspace's people for `users.info`: user id → e-mail (null: a profile without one, as when the
   * app lacks `users:read.email`). Any other id gets `user_not_found`. Seed it.
   */
  readonly users: Map<string, string | null>;
  /** The ID of a channel given by name (`#alerts`) or ID; throws for a channel the fake does not have. */
  channelId(nameOrId: string): string;
  /** The next `count` calls answer 429 `ratelimited`, with `Retry-After: retryAfterSeconds` unless null. */
  rateLimitNext(count: number, retryAfterSeconds: number | null): void;
  /** The next `count` calls answer this HTTP status (default 500) with an HTML error page. */
  failNext(count: number, status?: number): void;
  /** The next `count` calls are read and never answered (until close). */
  hangNext(count: number): void;
  /** Every call answers `status` (default 503) for the next `durationMs`: the service is down. */
  failFor(durationMs: number, status?: number): void;
  /** Stops the server and its connections, hanging ones included. */
  close(): Promise<void>;
}

export interface FakeSlackOptions {
  /** Channel names the workspace has (the bot is in all of them). Default `['#cloudo-alerts']`. */
  readonly channels?: readonly string[];
}

const SLACK_ID = /^[CG][A-Z0-9]{8,20}$/;

/**
 * A loopback Slack Web API with `chat.postMessage`, `chat.update` and `users.info`, answering as Slack does:
 * HTTP 200 with `{ ok: false, error }` for refusals (auth, channel, blocks, unknown message or user), 429 with
 * Retry-After for rate limits. Like Slack, `chat.update` takes the channel ID only, not a `#name`.
 */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const token = newToken();
  const validTokens = new Set([token]);
  const channels = new Map<string, string>();
  for (const name of options.channels ?? ['#cloudo-alerts']) {
    const id = `C${randomBytes(5).toString('hex').toUpperCase()}`;
    channels.set(name, id);
    channels.set(id, id);
  }
  const requests: FakeSlackRequest[] = [];
  const messages: FakeSlackMessage[] = [];
  const updates: FakeSlackUpdate[] = [];
  const responses: { path: string; body: unknown }[] = [];
  const users = new Map<string, string | null>();
  const faults = new FaultSwitch();
  let clock = 1_700_000_000;

  const json = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  const refuse = (res: ServerResponse, error: string, extra: object = {}) =>
    json(res, 200, { ok: false, error, ...extra });

  /**
   * What every method does first: records the call, applies a fault, checks the token. Returns the
   * arguments, or null when it has answered already.
   */
  const accept = (req: IncomingMessage, res: ServerResponse, raw: string): Record<string, unknown> | null => {
    const contentType = req.headers['content-type'] ?? null;
    const args = parseArgs(contentType, raw);
    const authorization = req.headers.authorization ?? null;
    requests.push({ path: req.url ?? '', contentType, authorization, args });

    const fault = faults.next();
    if (fault?.kind === 'hang') return null;
    if (fault?.kind === 'rate-limit') {
      const headers = retryAfterHeaders(fault.retryAfterSeconds);
      json(res, 429, { ok: false, error: 'ratelimited' }, headers);
      return null;
    }
    if (fault?.kind === 'status') {
      res
        .writeHead(fault.status, { 'content-type': 'text/html' })
        .end(`<html><body>${fault.status} Server Error</body></html>`);
      return null;
    }

    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7) : null;
    const given = bearer ?? (typeof args.token === 'string' ? args.token : null);
    const refusal = !given ? 'not_authed' : !validTokens.has(given) ? 'invalid_auth' : null;
    if (refusal === null) return args;
    refuse(res, refusal);
    return null;
  };

  /** The text and blocks of a post or update, or the error Slack would answer. */
  const content = (
    args: Record<string, unknown>,
  ): { text: string | null; blocks: SlackBlockJson[] | null } | { error: string; extra: object } => {
    const text = typeof args.text === 'string' ? args.text : null;
    if (text !== null && text.length > 40_000) return { error: 'msg_too_long', extra: {} };
    let blocks: SlackBlockJson[] | null = null;
    if (args.blocks !== undefined) {
      const parsed = typeof args.blocks === 'string' ? safeJson(args.blocks) : args.blocks;
      if (!Array.isArray(parsed)) return { error: 'invalid_blocks_format', extra: {} };
      blocks = parsed as SlackBlockJson[];
      const problems = checkBlocks(blocks);
      if (problems.length > 0) return { error: 'invalid_blocks', extra: { errors: problems } };
    }
    if (!text && !blocks?.length) return { error: 'no_text', extra: {} };
    return { text, blocks };
  };

  const postMessage = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const args = accept(req, res, raw);
    if (!args) return;
    const channel = typeof args.channel === 'string' ? channels.get(args.channel) : undefined;
    if (!channel) return refuse(res, 'channel_not_found');
    const body = content(args);
    if ('error' in body) return refuse(res, body.error, body.extra);
    const { text, blocks } = body;

    clock += 1;
    const ts = `${clock}.${String(messages.length + 1).padStart(6, '0')}`;
    const threadTs = typeof args.thread_ts === 'string' && args.thread_ts !== '' ? args.thread_ts : null;
    messages.push({ channel, ts, threadTs, text, blocks, edits: 0 });
    return json(res, 200, {
      ok: true,
      channel,
      ts,
      message: {
        type: 'message',
        subtype: 'bot_message',
        bot_id: 'B0CLOUDO',
        text: text ?? '',
        ts,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(blocks ? { blocks } : {}),
      },
    });
  };

  const updateMessage = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const args = accept(req, res, raw);
    if (!args) return;
    // chat.update wants the channel ID Slack gave when the message was posted
    const channel =
      typeof args.channel === 'string' && SLACK_ID.test(args.channel) ? channels.get(args.channel) : undefined;
    if (!channel) return refuse(res, 'channel_not_found');
    const index = messages.findIndex((m) => m.channel === channel && m.ts === args.ts);
    const before = messages[index];
    if (!before) return refuse(res, 'message_not_found');
    const body = content(args);
    if ('error' in body) return refuse(res, body.error, body.extra);

    const after: FakeSlackMessage = { ...before, text: body.text, blocks: body.blocks, edits: before.edits + 1 };
    messages[index] = after;
    updates.push({ channel, ts: before.ts, before, after });
    return json(res, 200, {
      ok: true,
      channel,
      ts: before.ts,
      text: body.text ?? '',
      message: { text: body.text ?? '' },
    });
  };

  const userInfo = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const args = accept(req, res, raw);
    if (!args) return;
    const id = typeof args.user === 'string' ? args.user : '';
    const email = users.get(id);
    if (email === undefined) return refuse(res, 'user_not_found');
    const name = email?.split('@')[0] ?? id.toLowerCase();
    const profile = { real_name: name, display_name: name, ...(email === null ? {} : { email }) };
    return json(res, 200, { ok: true, user: { id, name, deleted: false, is_bot: false, profile } });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      if (req.method === 'POST' && path === '/api/chat.postMessage') return postMessage(req, res, raw);
      if (req.method === 'POST' && path === '/api/chat.update') return updateMessage(req, res, raw);
      if (req.method === 'POST' && path === '/api/users.info') return userInfo(req, res, raw);
      if (req.method === 'POST' && path.startsWith('/actions/')) {
        responses.push({ path, body: safeJson(raw) });
        return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }
      return refuse(res, 'unknown_method');
    });
  });
  const { port, close } = await listenOnLoopback(server);

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    token,
    validTokens,
    requests,
    messages,
    updates,
    responses,
    users,
    channelId(nameOrId) {
      const id = channels.get(nameOrId);
      if (!id) throw new Error(`fake Slack has no channel ${nameOrId}`);
      return id;
    },
    rateLimitNext: (count, retryAfterSeconds) => faults.rateLimitNext(count, retryAfterSeconds),
    failNext: (count, status) => faults.failNext(count, status),
    hangNext: (count) => faults.hangNext(count),
    failFor: (durationMs, status) => faults.failFor(durationMs, status),
    close,
  };
}

/** A token shaped like a bot token (`xoxb-…`). */
export function newToken(): string {
  return `xoxb-${Date.now()}-${randomBytes(4).readUInt32BE()}-${randomBytes(12).toString('hex')}`;
}

function parseArgs(contentType: string | null, raw: string): Record<string, unknown> {
  if (contentType?.startsWith('application/json')) {
    const parsed = safeJson(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
