import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_CAPABILITY_HEADER } from '../../../../src/core/isolated-run.js';
import { fetchRunInput } from '../../../../workers/isolated/run-input-client.js';
import { listenOnLoopback } from '../../../support/fake-server.js';

/** The one-shot's read of its run, against a loopback app answering what a misrouted URL might. */
describe('fetchRunInput', () => {
  let server: Awaited<ReturnType<typeof listenOnLoopback>>;
  let base: string;
  const capabilities: Array<string | undefined> = [];

  beforeAll(async () => {
    server = await listenOnLoopback(
      createServer((req, res) => {
        capabilities.push(req.headers[RUN_CAPABILITY_HEADER] as string | undefined);
        if (req.url?.startsWith('/api/runs/html-page/')) {
          // a proxy's or a sign-in page's 200 is no run, however it is worded
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>');
        } else if (req.url?.startsWith('/api/runs/refused/')) {
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"not a running container run"}');
        } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"run":{"execId":"x"}}');
      }),
    );
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it('says the answer is not a run when the app answers 200 with a page that is not JSON', async () => {
    await expect(fetchRunInput(base, 'html-page', 'rc1.cap', new AbortController().signal)).rejects.toThrow(
      /^the app's answer is not a run: /,
    );
    expect(capabilities.at(-1)).toBe('rc1.cap');
  });

  it('says the answer is not a run when its JSON is not one', async () => {
    await expect(fetchRunInput(base, 'half-a-run', 'rc1.cap', new AbortController().signal)).rejects.toThrow(
      /^the app's answer is not a run: /,
    );
  });

  it('takes a refusal as final, with the app’s words', async () => {
    const before = capabilities.length;
    await expect(fetchRunInput(base, 'refused', 'rc1.cap', new AbortController().signal)).rejects.toThrow(
      'could not read run refused from the app: the app answered 403: {"error":"not a running container run"}',
    );
    expect(capabilities.length - before).toBe(1);
  });
});
