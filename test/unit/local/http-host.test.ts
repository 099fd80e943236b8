import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HttpFunctionDefinition } from '../../../src/functions/index.js';
import type { RunningHttpHost } from '../../../src/local/http-host.js';
import { MAX_OUTSTANDING_REQUESTS, startHttpHost } from '../../../src/local/http-host.js';
import { waitFor } from '../../support/wait.js';

/** A function that answers with the body it was given, for any method. */
const echo: HttpFunctionDefinition = {
  kind: 'http',
  name: 'Echo',
  access: { authLevel: 'anonymous', role: 'public' },
  options: {
    route: 'echo',
    methods: ['GET', 'POST'],
    authLevel: 'anonymous',
    handler: async (req) => ({ body: `${req.method} ${await req.text()}` }),
  },
};

/** Sends `body` with `method`, framed by its length as any client does (fetch refuses a GET body). */
function send(host: RunningHttpHost, method: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${host.url}/api/echo`,
      { method, headers: { 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the local HTTP host', () => {
  let host: RunningHttpHost | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await host?.close();
  });

  // found by the HTTP fuzz: each GET with a body printed a line to stderr, whatever `log` said
  it('drops a GET body without a word to the console, and passes a POST body on', async () => {
    const warn = vi.spyOn(console, 'warn');
    host = await startHttpHost({ definitions: [echo], port: 0, log: () => undefined });
    expect(await send(host, 'GET', '{"x":1}')).toEqual({ status: 200, text: 'GET ' });
    expect(await send(host, 'POST', '{"x":1}')).toEqual({ status: 200, text: 'POST {"x":1}' });
    expect(warn).not.toHaveBeenCalled();
  });

  it('answers 429 with Retry-After beyond its outstanding requests, at once, and serves again when they end', async () => {
    let release: () => void = () => undefined;
    let entered = 0;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: HttpFunctionDefinition = {
      ...echo,
      options: {
        ...echo.options,
        handler: async () => {
          entered++;
          await held;
          return { body: 'done' };
        },
      },
    };
    host = await startHttpHost({ definitions: [slow], port: 0, log: () => undefined, maxOutstandingRequests: 2 });
    const first = [send(host, 'GET', ''), send(host, 'GET', '')];
    await waitFor('the two requests to be held', () => (entered === 2 ? true : undefined));
    const refused = await fetch(`${host.url}/api/echo`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({
      error: 'the host holds 2 requests already (maxOutstandingRequests): retry',
    });
    release();
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
    expect((await fetch(`${host.url}/api/echo`)).status).toBe(200);
  });

  it('holds what host.json tells the Azure host to hold', () => {
    const hostJson = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../host.json'), 'utf8'));
    expect(hostJson.extensions.http.maxOutstandingRequests).toBe(MAX_OUTSTANDING_REQUESTS);
  });
});
