import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WAKE_HEADER, WAKE_WINDOW_MS, wakeToken } from '../../../src/core/wake-signature.js';
import type { WakeRefusal } from '../../../workers/queue/index.js';
import { MAX_WAKE_BODY_BYTES, WakeListener } from '../../../workers/queue/index.js';

const KEY = 'wake-key-0123456789abcdefghijklmnopqrstuvwxyz';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One raw HTTP request, so that sizes, methods and headers are exactly what the test says. */
function send(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/wake',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    // a refused request may be cut off while its body is still being written: the answer is what counts
    req.on('error', (err) =>
      String(err).includes('EPIPE') || String(err).includes('ECONNRESET') ? undefined : reject(err),
    );
    req.end(options.body);
  });
}

describe('the worker wake-up listener (POST /wake, real HTTP)', () => {
  let listener: WakeListener;
  let port: number;
  let woken = 0;
  const refusals: WakeRefusal[] = [];
  const signed = (capability = 'Runbook', at = Date.now()) => ({ [WAKE_HEADER]: wakeToken(KEY, capability, at) });

  beforeAll(async () => {
    listener = new WakeListener({
      key: KEY,
      capability: 'Runbook',
      port: 0,
      host: '127.0.0.1',
      onWake: () => woken++,
      onRefused: (reason) => refusals.push(reason),
    });
    port = await listener.start();
  });
  afterAll(() => listener.close());

  it('takes a fresh signed nudge: 202, and the worker polls', async () => {
    const before = woken;
    const answer = await send(port, { headers: signed() });
    expect(answer.status).toBe(202);
    expect(woken).toBe(before + 1);
  });

  it('refuses a missing, malformed, foreign-key, other-capability or expired signature with 401, waking nothing', async () => {
    const before = { woken, refused: listener.counts.refused };
    const attempts: Record<string, string>[] = [
      {},
      { [WAKE_HEADER]: 'v1.garbage' },
      { [WAKE_HEADER]: wakeToken('another-key-0123456789abcdefghijklmnopqrst', 'Runbook') },
      signed('Nightly'),
      signed('Runbook', Date.now() - WAKE_WINDOW_MS - 5_000),
    ];
    for (const headers of attempts) {
      const answer = await send(port, { headers });
      expect(answer.status).toBe(401);
      expect(answer.body).toBe('unauthorized\n');
    }
    expect(woken).toBe(before.woken);
    expect(listener.counts.refused).toBe(before.refused + attempts.length);
    expect(refusals.slice(-5)).toEqual(['missing', 'malformed', 'bad-signature', 'bad-signature', 'expired']);
  });

  it('refuses a replayed nudge: the same header twice wakes once', async () => {
    const before = woken;
    const headers = signed();
    expect((await send(port, { headers })).status).toBe(202);
    expect((await send(port, { headers })).status).toBe(401);
    expect(woken).toBe(before + 1);
    expect(refusals.at(-1)).toBe('replayed');
  });

  it('refuses a body beyond a few bytes with 413 without reading it, declared or streamed, waking nothing', async () => {
    const before = woken;
    const big = Buffer.alloc(1024 * 1024, 'x');
    expect((await send(port, { headers: signed(), body: big })).status).toBe(413);
    // chunked: no length announced, cut off once past the limit
    const chunked = await send(port, {
      headers: { ...signed(), 'transfer-encoding': 'chunked' },
      body: Buffer.alloc(MAX_WAKE_BODY_BYTES + 1, 'x'),
    });
    expect(chunked.status).toBe(413);
    expect(woken).toBe(before);
  });

  it('answers only POST /wake: 405 with Allow for another method, 404 for another path', async () => {
    const before = woken;
    const get = await send(port, { method: 'GET', headers: signed() });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect((await send(port, { method: 'PUT', headers: signed() })).status).toBe(405);
    expect((await send(port, { path: '/', headers: signed() })).status).toBe(404);
    expect((await send(port, { path: '/wake/x', headers: signed() })).status).toBe(404);
    expect(woken).toBe(before);
  });

  it('refuses oversized headers (it reads a few bytes of a request at most)', async () => {
    const answer = await send(port, { headers: { ...signed(), 'x-padding': 'x'.repeat(8 * 1024) } });
    expect(answer.status).toBe(431);
  });
});
