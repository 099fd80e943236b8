import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { HttpFunctionDefinition } from '../../../src/functions/index.js';
import type { FuzzBody } from './bodies.js';
import { bodyArbitrary } from './bodies.js';
import { pathArbitrary, queryArbitrary } from './http-target.js';
import type { CaseMode, Identity } from './identity.js';
import { identityArbitrary, originHeadersArbitrary } from './identity.js';
import type { RawRequest } from './raw-http.js';
import { ROUTE_BODIES } from './route-bodies.js';
import { headerValue } from './strings.js';
import type { FuzzWorld } from './world.js';

/** Slack's request signature over `body`: valid, stale, malformed, or none. */
function slackHeaders(secret: string, mode: string, body: Buffer | null): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const sign = (ts: number) => ({
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', secret)
      .update(`v0:${ts}:${body?.toString('utf8') ?? ''}`)
      .digest('hex')}`,
  });
  if (mode === 'valid') return sign(now);
  if (mode === 'stale') return sign(now - 3600);
  if (mode === 'garbage') return { 'x-slack-request-timestamp': '1e3', 'x-slack-signature': 'v0=zz' };
  return {};
}

/** A fuzz case: a request ready to send, and the function it is meant for. */
export interface FuzzCase extends RawRequest {
  readonly route: string;
}

/** The case, printed readably (method, target, headers, body) when fast-check reports it. */
export function described(c: FuzzCase): FuzzCase {
  return Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) });
}

function describeCase(c: FuzzCase): string {
  const body =
    c.body === null
      ? 'none'
      : c.body.length <= 2000
        ? JSON.stringify(c.body.toString('utf8'))
        : `${c.body.length} bytes: ${JSON.stringify(c.body.subarray(0, 200).toString('utf8'))}…`;
  return `${c.method} ${c.target.length <= 2000 ? c.target : `${c.target.slice(0, 2000)}… (${c.target.length} chars)`}\nheaders: ${JSON.stringify(c.headers)}\nbody: ${body}`;
}

/**
 * Requests for one route, half of each kind (see CaseMode): wild ones fuzz everything at once, so most
 * stop at routing or authentication; plausible ones are what a real client sends with its values fuzzed
 * (query, body, headers), so they reach the handler.
 */
export function requestArbitrary(
  definition: HttpFunctionDefinition,
  world: FuzzWorld,
  maxBodyBytes: number,
): fc.Arbitrary<FuzzCase> {
  return fc
    .oneof(
      caseArbitrary(definition, world, maxBodyBytes, 'wild'),
      caseArbitrary(definition, world, maxBodyBytes, 'plausible'),
    )
    .filter((c) => c.target.length + JSON.stringify(c.headers).length < 12_000)
    .map(described);
}

function caseArbitrary(
  definition: HttpFunctionDefinition,
  world: FuzzWorld,
  maxBodyBytes: number,
  mode: CaseMode,
): fc.Arbitrary<FuzzCase> {
  const methods = definition.options.methods.map(String).filter((m) => m !== 'OPTIONS');
  // methods Node's parser knows: an unknown one is refused by Node itself (400, no body) before any host
  const method =
    mode === 'plausible'
      ? fc.constantFrom(...methods)
      : fc.oneof(
          { arbitrary: fc.constantFrom(...methods), weight: 6 },
          { arbitrary: fc.constant('OPTIONS'), weight: 1 },
          { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'), weight: 1 },
        );
  const extraHeaders = fc.record(
    {
      'last-event-id': fc.oneof(fc.nat().map(String), headerValue(40)),
      'x-forwarded-for': headerValue(80),
      accept: fc.constantFrom('text/html', 'application/json', 'text/event-stream', '*/*'),
      'x-fuzz': headerValue(500),
    },
    { requiredKeys: [] },
  );
  const slackMode = mode === 'plausible' ? fc.constant('valid') : fc.constantFrom('none', 'valid', 'stale', 'garbage');
  return fc
    .record({
      method,
      path: pathArbitrary(definition.options.route, world, mode),
      query: queryArbitrary(world, mode),
      identity: identityArbitrary(world, mode, definition.options.authLevel !== 'anonymous'),
      origin: originHeadersArbitrary(world, mode),
      extra: extraHeaders,
      slackMode,
    })
    .chain((base) => {
      const context = { callerId: base.identity.callerId, params: base.path.params };
      const shaped = ROUTE_BODIES[definition.name]?.(world, context) ?? [];
      return bodyArbitrary(maxBodyBytes, shaped, mode).map((body) => assemble(definition.name, base, body, world));
    });
}

function assemble(
  route: string,
  base: {
    method: string;
    path: { raw: string };
    query: string;
    identity: Identity;
    origin: Record<string, string>;
    extra: Record<string, string>;
    slackMode: string;
  },
  body: FuzzBody,
  world: FuzzWorld,
): FuzzCase {
  return {
    route,
    method: base.method,
    target: `${base.path.raw}${base.query ? `?${base.query}` : ''}`,
    headers: {
      ...base.extra,
      ...base.origin,
      ...base.identity.headers,
      ...(body.contentType ? { 'content-type': body.contentType } : {}),
      ...slackHeaders(world.slack.signingSecret, base.slackMode, body.bytes),
    },
    body: body.bytes,
  };
}
