import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerFor } from '../../support/functions.js';
import { startedRun } from '../../support/runs.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import { parseEvents } from '../../support/sse.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

/** GET /api/executions/{id}/stream: the log as Server-Sent Events, then the final status. */
describe('live log stream', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startSecuredApp(t);
    viewer = await bearerFor(t, 'viewer');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const running = () => startedRun(t);

  it('sends what is written as it is written, then the end, with byte offsets as ids', async () => {
    const run = await running();
    const { execId } = run.execution;
    await t.storage.logs.append(execId, Buffer.from('line 1\n'));
    const res = await app.fetch(`/api/executions/${execId}/stream`, { headers: { authorization: viewer } });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil('line 1');
    // 'é' split across two appends: the stream waits for the whole character
    const accent = Buffer.from('café ok\n');
    await t.storage.logs.append(execId, accent.subarray(0, 4));
    await t.storage.logs.append(execId, accent.subarray(4));
    await readUntil('ok');
    await t.storage.executions.transition(run, {
      ...run.execution,
      status: 'failed',
      exitCode: 4,
      finishedAt: new Date().toISOString(),
    });
    await readUntil('event: end');
    const events = parseEvents(text);
    expect(
      events
        .filter((e) => e.event === 'log')
        .map((e) => e.data)
        .join(''),
    ).toBe('line 1\ncafé ok\n');
    expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'failed', exit_code: 4 }, id: undefined });
    const ids = events.filter((e) => e.event === 'log').map((e) => Number(e.id));
    expect(ids.at(-1)).toBe(7 + accent.length);
  });

  it('resumes from Last-Event-ID after a reconnect, and ends at once for a finished run', async () => {
    const run = await running();
    const { execId } = run.execution;
    await t.storage.logs.append(execId, Buffer.from('first\nsecond\n'));
    await t.storage.executions.transition(run, {
      ...run.execution,
      status: 'succeeded',
      exitCode: 0,
      finishedAt: new Date().toISOString(),
    });
    const res = await app.fetch(`/api/executions/${execId}/stream`, {
      headers: { authorization: viewer, 'last-event-id': '6' },
    });
    const events = parseEvents(await res.text());
    expect(events).toEqual([
      { id: '13', event: 'log', data: 'second\n' },
      { id: undefined, event: 'end', data: { status: 'succeeded', exit_code: 0 } },
    ]);
  });

  it('refuses a bad offset, an unknown run and an anonymous caller', async () => {
    const run = await running();
    const bad = await app.fetch(`/api/executions/${run.execution.execId}/stream?offset=-1`, {
      headers: { authorization: viewer },
    });
    expect(bad.status).toBe(400);
    const unknown = await app.fetch('/api/executions/01900000-0000-7000-8000-000000000000/stream', {
      headers: { authorization: viewer },
    });
    expect(unknown.status).toBe(404);
    expect((await app.fetch(`/api/executions/${run.execution.execId}/stream`)).status).toBe(401);
  });
});
