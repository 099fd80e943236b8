import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../../src/core/run-plan.js';
import { getExecutionLogFunction } from '../../../src/functions/executions.js';
import { executionPageFunction } from '../../../src/functions/logs.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { asRun } from '../../support/runs.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

/** 600 000 bytes of numbered lines: more than two of the page's 256 KiB windows. */
const LINES = Array.from({ length: 40_000 }, (_, i) => `line ${String(i).padStart(8, '0')}\n`);
const LOG = LINES.join('');

/** A large log read by parts: the API's byte ranges and download, the run page's last window and earlier ones. */
describe('log ranges', () => {
  let t: TestStorage;
  let viewer: string;
  let execId: string;
  const call = (fn: ReturnType<typeof getExecutionLogFunction>, query: Record<string, string> = {}) =>
    callHttp(fn, { url: 'http://localhost/x', params: { execId }, query, headers: { authorization: viewer } });

  beforeAll(async () => {
    t = await createTestStorage();
    viewer = await bearerFor(t, 'viewer');
    const plan = planRun(testSchema({ id: 'big' }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    execId = plan.execution.execId;
    await t.storage.logs.create(execId);
    await t.storage.logs.append(execId, Buffer.from(LOG));
    // an ended run: its page reads, it does not follow
    for (const step of [{ status: 'running' as const }, { status: 'succeeded' as const, exitCode: 0 }]) {
      const current = await t.storage.executions.get(execId);
      if (!current) throw new Error('seeded run vanished');
      await t.storage.executions.transition(current, { ...asRun(current.execution), ...step });
    }
  });
  afterAll(() => t.cleanup());

  it('serves a byte range and says where it starts and how big the log is', async () => {
    const log = getExecutionLogFunction(testServices(t));
    const res = await call(log, { raw: '1', offset: '17', length: '34' });
    expect(res.text).toBe(LOG.slice(17, 51));
    expect(res.headers.get('x-cloudo-log-start')).toBe('17');
    expect(res.headers.get('x-cloudo-log-size')).toBe(String(LOG.length));
    expect(res.headers.get('content-disposition')).toBeNull();
    // past the end: nothing, not an error
    expect((await call(log, { offset: String(LOG.length + 5), length: '10' })).text).toBe('');
    expect((await call(log, { offset: '-1' })).status).toBe(400);
  });

  it('sends the whole log as a file to save with ?download=1', async () => {
    const res = await call(getExecutionLogFunction(testServices(t)), { download: '1' });
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="cloudo-${execId}.log"`);
    expect(res.text).toBe(LOG);
  });

  it('puts only the last window on the run page, from a line start, with a link to the part before it', async () => {
    const page = executionPageFunction(testServices(t));
    const res = await call(page);
    const shown = /<pre class="log" id="log" data-log="[^"]+" data-start="(\d+)">([^<]*)<\/pre>/.exec(res.text);
    const start = Number(shown?.[1]);
    expect(start).toBeGreaterThan(LOG.length - 256 * 1024);
    expect(start).toBeLessThan(LOG.length - 256 * 1024 + 20);
    expect(shown?.[2]).toBe(LOG.slice(start));
    expect(shown?.[2]?.startsWith('line ')).toBe(true);
    expect(Buffer.byteLength(res.text)).toBeLessThan(256 * 1024 + 16 * 1024);
    expect(res.text).toContain(
      `<a id="log-earlier" href="/api/logs/${execId}?before=${start}#log">Show earlier output</a>`,
    );
    expect(res.text).toContain('<script src="/api/assets/live-log.js" defer></script>');
    expect(res.text).toContain(`/api/executions/${execId}/log?download=1`);

    // without script, the link shows the window before it, which ends where the last one began
    const earlier = await call(page, { before: String(start) });
    const part = /data-start="(\d+)">([^<]*)<\/pre>/.exec(earlier.text);
    expect(part?.[2]).toBe(LOG.slice(Number(part?.[1]), start));
    expect(earlier.text).toContain(`<a id="log-end" href="/api/logs/${execId}#log">Show the end</a>`);
    // the first window has nothing before it
    const first = await call(page, { before: String(Number(part?.[1])) });
    expect(first.text).toContain('data-start="0">line 00000000\n');
    expect(first.text).not.toContain('log-earlier');
  });
});
