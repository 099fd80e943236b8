import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src/core/execution.js';
import { newExecution, newUnmatchedAlert } from '../../../src/core/execution.js';
import type { RunActionsView } from '../../../src/ui/index.js';
import { renderExecutionPage } from '../../../src/ui/index.js';

const NOW = new Date('2026-03-04T10:00:00.000Z');
const ID = '019cb7d5-8a00-7000-8000-000000000001';
const OTHER = '019cb7d5-8a00-7000-8000-000000000002';
const TOKENS: RunActionsView = { cancelToken: 'c"<tok>', rerunToken: 'r-tok' };

function run(overrides: Partial<Run> = {}): Run {
  const base = newExecution({
    execId: ID,
    schemaId: 'disk',
    schemaPartition: 'p',
    schemaName: 'Disk',
    runbook: 'disk.sh',
    worker: 'Runbook',
    timeoutMs: 60_000,
    trigger: { source: 'http', actor: 'alice', team: null, principal: null },
    status: 'running',
    requestedAt: '2026-03-04T09:58:00.000Z',
  });
  return { ...base, ...overrides };
}
const render = (execution: Parameters<typeof renderExecutionPage>[0]['execution'], actions = TOKENS) =>
  renderExecutionPage({ execution, log: null, now: NOW, actions }).toString();
const forms = (page: string) => [...page.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]);

describe('run page actions', () => {
  it.each(['pending_approval', 'accepted', 'running'] as const)('offers Cancel, not Re-run, while %s', (status) => {
    const page = render(run({ status }));
    expect(forms(page)).toContain(`/api/logs/${ID}/cancel`);
    expect(forms(page)).not.toContain(`/api/logs/${ID}/rerun`);
    // the token is a value, escaped like any other
    expect(page).toContain('<input type="hidden" name="token" value="c&quot;&lt;tok&gt;">');
  });

  it.each(['succeeded', 'failed', 'timed_out', 'cancelled', 'error', 'abandoned', 'rejected', 'expired'] as const)(
    'offers Re-run, not Cancel, once %s',
    (status) => {
      const page = render(run({ status }));
      expect(forms(page)).toEqual([`/api/logs/${ID}/rerun`]);
      expect(page).toContain('<input type="hidden" name="token" value="r-tok">');
    },
  );

  it('shows no button to someone without tokens (a viewer), nor on an unmatched alert', () => {
    for (const status of ['running', 'failed'] as const) {
      const page = renderExecutionPage({ execution: run({ status }), log: null, now: NOW }).toString();
      expect(page).not.toContain('class="run-action"');
      expect(render(run({ status }), { cancelToken: null, rerunToken: null })).not.toContain('class="run-action"');
    }
    const unmatched = newUnmatchedAlert({
      execId: ID,
      trigger: { source: 'alert', actor: null, team: null, principal: null },
      status: 'unmatched',
      requestedAt: '2026-03-04T09:58:00.000Z',
      finishedAt: '2026-03-04T09:58:00.000Z',
      deliveries: 1,
    });
    expect(render(unmatched)).not.toContain('class="run-action"');
  });

  it('links a re-run to its original and the original to its re-runs', () => {
    const rerun = render(run({ status: 'failed', rerunOf: OTHER }));
    expect(rerun).toContain(
      `<dt>Re-run of</dt><dd id="rerun-of"><a href="/api/logs/${OTHER}"><code>${OTHER}</code></a></dd>`,
    );
    const original = render(run({ status: 'failed', reruns: [OTHER] }));
    expect(original).toContain(`<li><a href="/api/logs/${OTHER}"><code>${OTHER}</code></a></li>`);
    expect(render(run())).not.toContain('Re-run of');
  });

  it('offers follow/pause and the download on a live run, and escapes its log', () => {
    const page = renderExecutionPage({
      execution: run(),
      log: '<img src=x onerror=alert(1)>\x1b[31mred\x1b[0m\n',
      now: NOW,
    }).toString();
    expect(page).toContain('<button type="button" id="log-follow" aria-pressed="true" hidden>Pause</button>');
    expect(page).toContain(`<a href="/api/executions/${ID}/log?download=1" download>Download log (41 B)</a>`);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;<span class="ansi-fg-1">red</span>');
    expect(page).toContain(`data-stream="/api/executions/${ID}/stream?offset=41"`);
    expect(page).not.toContain('<img');
  });

  it('does not reload a live run’s page that shows an earlier part of its log', () => {
    const part = { text: 'line 2\n', start: 7, end: 14, size: 90 };
    const page = renderExecutionPage({ execution: run(), log: part, now: NOW }).toString();
    expect(page).not.toContain('http-equiv="refresh"');
    expect(page).not.toContain('data-stream');
    expect(page).toContain(`<a id="log-end" href="/api/logs/${ID}#log">Show the end</a>`);
    const end = renderExecutionPage({ execution: run(), log: { ...part, end: 90 }, now: NOW }).toString();
    expect(end).toContain(`<noscript><meta http-equiv="refresh" content="2; url=/api/logs/${ID}">`);
  });
});
