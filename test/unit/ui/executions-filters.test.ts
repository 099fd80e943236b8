import { describe, expect, it } from 'vitest';
import { newExecution } from '../../../src/core/execution.js';
import { executionsUrl, renderExecutionsPage } from '../../../src/ui/index.js';

const NOW = new Date('2026-03-04T10:00:00.000Z');
const FROM = Date.parse('2026-03-01T08:30:00Z');
const TO = Date.parse('2026-03-02T09:15:42Z');
const FILTER = {
  status: 'failed',
  schema: 'disk',
  worker: 'Aks',
  trigger: 'alert',
  from: FROM,
  to: TO,
  q: 'vm-01 & "co"',
} as const;

const run = newExecution({
  execId: '019cb7d5-8a00-7000-8000-000000000001',
  schemaId: 'disk',
  schemaPartition: 'p',
  schemaName: 'Disk',
  runbook: 'disk.sh',
  worker: 'Aks',
  timeoutMs: 60_000,
  trigger: { source: 'alert', actor: null, team: null, principal: null },
  status: 'failed',
  requestedAt: '2026-03-01T09:00:00.000Z',
});

describe('executions page filters', () => {
  it('writes every filter into the URL as the search API names it, times in UTC as a form field holds them', () => {
    expect(executionsUrl(FILTER, 'tok')).toBe(
      '/api/logs?status=failed&schema=disk&worker=Aks&trigger=alert&from=2026-03-01T08%3A30&to=2026-03-02T09%3A15%3A42&q=vm-01+%26+%22co%22&continuation=tok',
    );
  });

  it('keeps every filter in the form, the refresh URL and the paging links', () => {
    const page = renderExecutionsPage({
      executions: [run],
      filter: { ...FILTER, limit: 20 },
      continuation: 'page-2',
      nextContinuation: 'page-3',
      now: NOW,
    }).toString();
    const expectedQuery =
      'status=failed&amp;schema=disk&amp;worker=Aks&amp;trigger=alert&amp;from=2026-03-01T08%3A30&amp;to=2026-03-02T09%3A15%3A42&amp;q=vm-01+%26+%22co%22&amp;limit=20';
    expect(page).toContain(`<a href="/api/logs?${expectedQuery}">First page</a>`);
    expect(page).toContain(`<a rel="next" href="/api/logs?${expectedQuery}&amp;continuation=page-3">Next page</a>`);
    expect(page).toContain(`content="5; url=/api/logs?${expectedQuery}&amp;continuation=page-2"`);
    expect(page).toContain('<input name="worker" value="Aks"');
    expect(page).toContain('<option value="alert" selected>alert</option>');
    expect(page).toContain('name="from" value="2026-03-01T08:30"');
    expect(page).toContain('name="to" value="2026-03-02T09:15:42"');
    expect(page).toContain('name="q" value="vm-01 &amp; &quot;co&quot;"');
    // clearing keeps the chosen page size, nothing else
    expect(page).toContain('<a href="/api/logs?limit=20">Clear filters</a>');
  });

  it('says how far a free-text page searched, and offers to search further', () => {
    const short = renderExecutionsPage({
      executions: [],
      filter: { q: 'rare' },
      nextContinuation: 'more',
      scannedRows: 1000,
      now: NOW,
    }).toString();
    expect(short).toContain('Searched 1000 runs for this page, 0 found.');
    expect(short).toContain('<a href="/api/logs?q=rare&amp;continuation=more" class="search-more">Search further…</a>');
    expect(short).toContain('No match in the runs searched so far.');

    const last = renderExecutionsPage({
      executions: [run],
      filter: { q: 'disk' },
      nextContinuation: null,
      scannedRows: 1,
      now: NOW,
    }).toString();
    expect(last).toContain('Searched 1 run for this page, 1 found. That was the last of them.');
    // without free text, a page is full or the last: no note
    const plain = renderExecutionsPage({
      executions: [run],
      filter: {},
      nextContinuation: 'x',
      scannedRows: 50,
      now: NOW,
    });
    expect(plain.toString()).not.toContain('search-note');
  });

  it('escapes filter values and worker suggestions, and loads only its same-origin refresh script', () => {
    const page = renderExecutionsPage({
      executions: [],
      filter: { worker: '"><script>alert(1)</script>', q: '<img src=x onerror=alert(1)>' },
      nextContinuation: null,
      now: NOW,
      workers: [
        {
          capability: '<x-cap>',
          workerId: 'w',
          host: 'h',
          version: '1',
          concurrency: 1,
          runningRuns: [],
          lastSeen: NOW.toISOString(),
          alive: true,
          runbookIsolation: 'none',
        },
      ],
    }).toString();
    expect(page).not.toMatch(/<script>|<img|<x-cap>/);
    expect(page).toContain('<option value="&lt;x-cap&gt;"></option>');
    expect([...page.matchAll(/<script[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script src="/api/assets/runs-refresh.js" defer>',
    ]);
    expect(page).toContain('<noscript><meta http-equiv="refresh"');
  });
});
