import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../../src/core/run-plan.js';
import { executionsPageFunction } from '../../../src/functions/logs.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const HOUR_MS = 3_600_000;

/** `GET /api/logs` searches as `GET /api/executions` does, reading the form's zone-less times as UTC. */
describe('executions page search', () => {
  let t: TestStorage;
  let viewer: string;
  const ids: Record<string, string> = {};
  const now = Date.now();
  const list = (query: Record<string, string>) =>
    callHttp(executionsPageFunction(testServices(t)), {
      url: 'http://localhost/api/logs',
      query,
      headers: { authorization: viewer },
    });
  const listed = (html: string) => [...html.matchAll(/<td><a href="\/api\/logs\/([^"]+)">/g)].map((m) => m[1]);

  beforeAll(async () => {
    t = await createTestStorage();
    viewer = await bearerFor(t, 'viewer');
    const runs = [
      ['old-http', 'Runbook', 'http', 5],
      ['new-alert', 'Aks', 'alert', 1],
      // newer than new-alert: two runs of the same millisecond would list in either order
      ['new-http', 'Runbook', 'http', 0.5],
    ] as const;
    for (const [name, worker, source, agoHours] of runs) {
      const plan = planRun(
        testSchema({ id: name, worker }),
        { source, actor: null, team: null, principal: null },
        new Date(now - agoHours * HOUR_MS),
      );
      await new RunDispatcher(t.storage).dispatch(plan);
      ids[name] = plan.execution.execId;
    }
  });
  afterAll(() => t.cleanup());

  it('filters by worker, trigger, time range and text, the form’s empty fields meaning any', async () => {
    const since = new Date(now - 2 * HOUR_MS).toISOString().slice(0, 16);
    const recent = await list({ from: since, to: '', status: '', q: '' });
    expect(recent.status).toBe(200);
    expect(listed(recent.text)).toEqual([ids['new-http'], ids['new-alert']]);
    expect(listed((await list({ worker: 'Aks' })).text)).toEqual([ids['new-alert']]);
    expect(listed((await list({ trigger: 'http', from: since })).text)).toEqual([ids['new-http']]);
    const text = await list({ q: 'OLD-' });
    expect(listed(text.text)).toEqual([ids['old-http']]);
    expect(text.text).toContain('Searched 3 runs for this page, 1 found. That was the last of them.');
    // the time comes back in the form as the field holds it
    expect(recent.text).toContain(`name="from" value="${since}"`);
  });

  it('answers a bad filter with a readable 400 page naming it', async () => {
    for (const [query, message] of [
      [{ from: 'yesterday' }, 'from: must be an ISO time'],
      [{ from: '2026-05-02T00:00', to: '2026-05-01T00:00' }, 'from: must not be after to'],
      [{ trigger: '<script>' }, 'trigger: '],
    ] as const) {
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.text).toContain(`<p class="error-message">${message}`);
      expect(res.text).not.toContain('<script>');
    }
  });
});
