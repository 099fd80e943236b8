import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { HttpResponseInit } from '@azure/functions';
import { sameSecret } from '../core/same-secret.js';
import type { FunctionDefinition, HttpFunctionDefinition } from '../functions/index.js';
import { HttpRequest, HttpResponse, InvocationContext } from '../functions/index.js';
import type { RouteTemplate } from './route-template.js';
import { parseRouteTemplate } from './route-template.js';

/**
 * host.json `extensions.http.maxOutstandingRequests`: requests held at once (running, waiting, and open
 * live-log streams) before the host answers 429. Beyond it a caller is told at once to come back, rather
 * than waiting for an answer it may give up on and retry, starting a second run (chaos, issue 13). Above
 * the live-log streams' own cap (CLOUDO_STREAMS_TOTAL, 200) so following logs cannot starve the API.
 */
export const MAX_OUTSTANDING_REQUESTS = 400;

/** The Functions host's own default request size limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, 100 MB). */
const HOST_BODY_LIMIT_BYTES = 100 * 1024 * 1024;
const ROUTE_PREFIX = '/api/';

export interface HttpHostOptions {
  readonly definitions: readonly FunctionDefinition[];
  /** 0 picks a free port. */
  readonly port: number;
  readonly hostname?: string;
  /**
   * Functions keys to enforce as the Azure host does (`x-functions-key` header or `code` query), or
   * null to let every request through, as Core Tools does.
   */
  readonly keys?: { readonly functionKeys: readonly string[]; readonly masterKey: string } | null;
  /** Where function logs go (default: console, prefixed with the function name). */
  readonly log?: (functionName: string, level: string, args: unknown[]) => void;
  /** Requests held at once before 429 (default MAX_OUTSTANDING_REQUESTS, as host.json tells Azure's host). */
  readonly maxOutstandingRequests?: number;
}

export interface RunningHttpHost {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

interface Route {
  readonly definition: HttpFunctionDefinition;
  readonly template: RouteTemplate;
}

/**
 * Serves HTTP function definitions the way the Functions host does (`/api` prefix, route templates,
 * methods), so the local stack runs the very objects `src/index.ts` registers with Azure. Like Core
 * Tools, it does not enforce function keys.
 */
export async function startHttpHost(options: HttpHostOptions): Promise<RunningHttpHost> {
  const routes: Route[] = options.definitions
    .filter((d): d is HttpFunctionDefinition => d.kind === 'http')
    .map((definition) => ({ definition, template: parseRouteTemplate(definition.options.route) }))
    .sort((a, b) => b.template.specificity - a.template.specificity);
  const log =
    options.log ??
    ((name: string, level: string, args: unknown[]) => {
      if (level === 'error' || level === 'warning') console.error(`[${name}]`, ...args);
      else if (level !== 'trace' && level !== 'debug') console.log(`[${name}]`, ...args);
    });

  const keys = options.keys ?? null;
  const maxOutstanding = options.maxOutstandingRequests ?? MAX_OUTSTANDING_REQUESTS;
  let outstanding = 0;
  const server = createServer((req, res) => {
    if (outstanding >= maxOutstanding) {
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(
        JSON.stringify({
          error: `the host holds ${maxOutstanding} requests already (maxOutstandingRequests): retry`,
        }),
      );
      return;
    }
    outstanding++;
    res.once('close', () => outstanding--);
    serve(routes, keys, log, req, res).catch((err: unknown) => {
      // the path only: the query may hold a Functions key (?code=)
      console.error('local host: failed to answer', req.method, (req.url ?? '').split('?')[0], err);
      if (!res.headersSent) writeJson(res, 500, { error: 'internal error in the local host' });
      else res.destroy();
    });
  });
  // keep-alive sockets would hold close() open for seconds
  server.keepAliveTimeout = 1_000;
  server.listen(options.port, options.hostname ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const hostForUrl = options.hostname && options.hostname !== '0.0.0.0' ? options.hostname : '127.0.0.1';
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function serve(
  routes: readonly Route[],
  keys: HttpHostOptions['keys'],
  log: NonNullable<HttpHostOptions['log']>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  const method = (req.method ?? 'GET').toUpperCase();
  if (!url.pathname.toLowerCase().startsWith(ROUTE_PREFIX)) {
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/api/logs' }).end();
      return;
    }
    writeJson(res, 404, { error: `nothing at ${url.pathname}: functions live under ${ROUTE_PREFIX}` });
    return;
  }
  const path = url.pathname.slice(ROUTE_PREFIX.length);
  let pathMatched = false;
  for (const route of routes) {
    const params = route.template.match(path);
    if (!params) continue;
    pathMatched = true;
    if (!route.definition.options.methods.includes(method as never)) continue;
    if (keys && method !== 'OPTIONS' && !hasValidKey(route.definition.options.authLevel, keys, req, url)) {
      writeJson(res, 401, {
        error: `${route.definition.name} needs a Functions key (x-functions-key header or code query)`,
      });
      return;
    }
    const body = await readRequestBody(req);
    if (body === 'too-large') {
      writeJson(res, 413, { error: `request body is larger than ${HOST_BODY_LIMIT_BYTES} bytes` });
      return;
    }
    await invoke(route.definition, params, url, method, req, body, res, log);
    return;
  }
  writeJson(res, pathMatched ? 405 : 404, {
    error: pathMatched ? `${method} is not allowed on ${url.pathname}` : `no function at ${url.pathname}`,
  });
}

async function invoke(
  definition: HttpFunctionDefinition,
  params: Record<string, string>,
  url: URL,
  method: string,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  log: NonNullable<HttpHostOptions['log']>,
): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  // as Azure's front end does: the peer address goes last, where a client cannot forge it
  const peer = req.socket.remoteAddress ?? 'unknown';
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${peer}` : peer;
  // a GET or HEAD body reaches no handler: the Functions library drops it, with a console warning per
  // request that would bypass `log` and let any client write to our output, so it is dropped here
  const hasBody = body.length > 0 && method !== 'GET' && method !== 'HEAD';
  const request = new HttpRequest({
    method,
    url: url.toString(),
    headers,
    query: Object.fromEntries(url.searchParams),
    params,
    ...(hasBody ? { body: { bytes: body } } : {}),
  });
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: definition.name,
    logHandler: (level, ...args) => log(definition.name, level, args),
  });
  const result = await definition.options.handler(request, context);
  const response = result instanceof HttpResponse ? result : new HttpResponse((result ?? {}) as HttpResponseInit);
  const outHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    outHeaders[name] = value;
  });
  res.writeHead(response.status, outHeaders);
  if (!response.body || method === 'HEAD') {
    res.end();
    return;
  }
  const stream = Readable.fromWeb(response.body as WebReadableStream);
  // a browser that goes away mid-stream must not leave the handler's stream running
  res.once('close', () => stream.destroy());
  stream.pipe(res);
  await once(stream, 'close');
}

function hasValidKey(
  authLevel: HttpFunctionDefinition['options']['authLevel'],
  keys: NonNullable<HttpHostOptions['keys']>,
  req: IncomingMessage,
  url: URL,
): boolean {
  if (authLevel === 'anonymous') return true;
  const header = req.headers['x-functions-key'];
  const presented = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code');
  if (!presented) return false;
  const accepted = authLevel === 'admin' ? [keys.masterKey] : [...keys.functionKeys, keys.masterKey];
  return accepted.some((key) => sameSecret(key, presented));
}

async function readRequestBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > HOST_BODY_LIMIT_BYTES) return 'too-large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
