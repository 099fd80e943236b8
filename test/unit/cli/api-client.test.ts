import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiClient, apiBaseUrl, connectApi } from '../../../src/cli/api-client.js';
import { listenOnLoopback } from '../../support/fake-server.js';

const Pong = z.object({ pong: z.boolean() });

describe('apiBaseUrl', () => {
  it.each([
    ['https://cloudo.example.net', 'https://cloudo.example.net'],
    ['http://localhost:7071/', 'http://localhost:7071'],
    ['http://localhost:7071/api', 'http://localhost:7071'],
    ['https://gw.example.net/cloudo/api/', 'https://gw.example.net/cloudo'],
  ])('reads %s as %s', (raw, base) => {
    expect(apiBaseUrl(raw)).toBe(base);
  });

  it.each([
    'localhost:7071',
    'ftp://cloudo.example.net',
    'https://me:secret@cloudo.example.net',
    'https://cloudo.example.net/?code=functionkey',
    'not a url',
  ])('refuses %s', (raw) => {
    expect(apiBaseUrl(raw)).toBeNull();
  });
});

describe('connectApi', () => {
  it('refuses a token that cannot be one header value, without quoting it', async () => {
    const connection = await connectApi('http://127.0.0.1:1', { CLOUDO_TOKEN: 'cloudo_a b' });
    expect(connection).toEqual({
      ok: false,
      problem: 'CLOUDO_TOKEN must be one API token, with no spaces or line breaks',
    });
  });
});

describe('ApiClient', () => {
  let server: Awaited<ReturnType<typeof listenOnLoopback>>;
  let base: string;
  const seen: Array<string | undefined> = [];

  beforeAll(async () => {
    server = await listenOnLoopback(
      createServer((req, res) => {
        seen.push(req.headers.authorization);
        // /api/hang is read and never answered
        if (req.url === '/api/ping') res.writeHead(200, { 'content-type': 'application/json' }).end('{"pong":true}');
        else if (req.url === '/api/login') res.writeHead(302, { location: 'https://login.example/sign-in' }).end();
        else if (req.url === '/api/broken') res.writeHead(500).end('{"error":"storage is down"}');
        else if (req.url !== '/api/hang') res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nope</h1>');
      }),
    );
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it('sends the token as a bearer and parses the answer', async () => {
    const client = new ApiClient({ baseUrl: base, token: 'cloudo_t' });
    expect(await client.get('/api/ping', Pong)).toEqual({ ok: true, value: { pong: true } });
    expect(seen.at(-1)).toBe('Bearer cloudo_t');
  });

  it('sends a pasted "Bearer <token>" with its newline as the token alone', async () => {
    const connection = await connectApi(undefined, { CLOUDO_URL: `${base}/api`, CLOUDO_TOKEN: 'Bearer cloudo_x\n' });
    if (!connection.ok) throw new Error(connection.problem);
    expect((await connection.client.get('/api/ping', Pong)).ok).toBe(true);
    expect(seen.at(-1)).toBe('Bearer cloudo_x');
  });

  it.each([
    ['/api/hang', null, `cannot reach ClouDO at BASE: no answer within 0.2 s`],
    ['/api/login', 302, 'BASE redirected to https://login.example/sign-in (HTTP 302), a sign-in page?'],
    ['/api/broken', 500, 'ClouDO at BASE failed (HTTP 500): storage is down'],
    ['/api/elsewhere', 404, 'BASE answered HTTP 404 Not Found: is this the ClouDO app?'],
  ])('explains %s in one line', async (path, status, message) => {
    const answer = await new ApiClient({ baseUrl: base, token: null, timeoutMs: 200 }).get(path, Pong);
    expect(answer).toMatchObject({ ok: false, status });
    expect(answer.ok ? '' : answer.message).toContain(message.replace('BASE', base));
  });

  it('says when an answer is not what ClouDO sends', async () => {
    const answer = await new ApiClient({ baseUrl: base, token: null }).get('/api/ping', z.object({ pong: z.string() }));
    expect(answer.ok ? '' : answer.message).toMatch(/^unexpected answer from .*\/api\/ping \(pong: .*\): is this/);
  });

  it('never repeats the token, even where fetch quotes a bad header value', async () => {
    const token = 'cloudo_secret\u0000x';
    const answer = await new ApiClient({ baseUrl: base, token }).get('/api/ping', Pong);
    expect(answer.ok ? '' : answer.message).toBe(
      `cannot reach ClouDO at ${base}: Headers.append: "Bearer ***" is an invalid header value.`,
    );
  });
});
