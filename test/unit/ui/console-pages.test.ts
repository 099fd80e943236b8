import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/core/audit.js';
import { planRun } from '../../../src/core/run-plan.js';
import type { RunSummary } from '../../../src/core/run-stats.js';
import { computeRunStats } from '../../../src/core/run-stats.js';
import {
  renderApprovalsPage,
  renderAuditPage,
  renderDashboardPage,
  renderSettingsPage,
  renderWorkersPage,
} from '../../../src/ui/index.js';
import { testSchema } from '../../support/schemas.js';

const EVIL = `<img src=x onerror="alert(1)">'&`;
/** An element a page would contain only if a value were not escaped. */
const INJECTED = /<img src=x/i;
const FROM = Date.parse('2026-05-01T00:00:00Z');
const HOUR = 3_600_000;

const summary = (hour: number, status: RunSummary['status'], schemaId: string, resourceId: string | null = null) =>
  ({
    schemaId,
    status,
    requestedAt: new Date(FROM + hour * HOUR + 60_000).toISOString(),
    startedAt: new Date(FROM + hour * HOUR + 60_000).toISOString(),
    finishedAt: new Date(FROM + hour * HOUR + 60_000 + 1500 * (hour + 1)).toISOString(),
    resourceId,
  }) satisfies RunSummary;

function dashboard(runs: RunSummary[], schemaId?: string) {
  const stats = computeRunStats(runs, FROM, FROM + 24 * HOUR - 1);
  return renderDashboardPage({
    range: '24h',
    schemaId,
    stats,
    truncated: false,
    computedAt: new Date(FROM + 24 * HOUR).toISOString(),
    schemaIds: stats.schemas.map((s) => s.schemaId),
  }).toString();
}

describe('the dashboard page', () => {
  const runs = [
    summary(1, 'succeeded', 'disk'),
    summary(1, 'succeeded', 'disk'),
    summary(2, 'failed', 'disk', '/vm/1'),
    summary(3, 'timed_out', EVIL, EVIL),
    summary(3, 'unmatched', 'x'),
  ];

  it('escapes hostile schema ids and resource ids wherever it shows them', () => {
    const page = dashboard(runs, EVIL);
    expect(page).not.toMatch(INJECTED);
    expect(page).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;');
  });

  it('gives the chart a title and a description with the numbers, and the same numbers as a table', () => {
    const page = dashboard(runs);
    expect(page).toMatch(
      /<svg id="runs-over-time" class="chart"[^>]* role="img" aria-labelledby="runs-over-time-title runs-over-time-desc">/,
    );
    expect(page).toContain('<title id="runs-over-time-title">Runs by status per hour</title>');
    expect(page).toMatch(
      /<desc id="runs-over-time-desc">5 runs in 24 hours \(UTC\); the busiest hour, 01:00, had 2\. succeeded: 2, failed: 1, timed out: 1, unmatched: 1\./,
    );
    expect(page).toContain('<title>02:00: 1 failed</title>');
    // the table: one row per hour, a column per status present
    const table = page.slice(page.indexOf('<table id="runs-over-time-table">'), page.indexOf('</table>'));
    expect(table).toContain('<th scope="col">succeeded</th><th scope="col">failed</th><th scope="col">timed out</th>');
    expect(table.match(/<tr><th scope="row">/g)).toHaveLength(24);
  });

  it('draws every status with its own texture, named in a legend, not by colour alone', () => {
    const page = dashboard(runs);
    const fills = [...page.matchAll(/<rect [^>]*fill="([^"]+)"[^>]*stroke[^>]*><title>/g)].map((m) => m[1]);
    expect(fills.length).toBeGreaterThan(0);
    for (const fill of fills) expect(fill).toMatch(/^url\(#fill-[a-z_]+\)$/);
    // each status's pattern has a texture over its colour, except succeeded's, which is the one solid fill
    const patterns = [...page.matchAll(/<pattern id="fill-([a-z_]+)"[^>]*>([\s\S]*?)<\/pattern>/g)];
    const solid = patterns.filter(([, , body]) => !/<(path|circle)/.test(body ?? '')).map(([, id]) => id);
    expect(solid).toEqual(['succeeded']);
    const legend = page
      .slice(page.indexOf('<ul class="legend"'), page.indexOf('</ul>'))
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ');
    for (const name of ['succeeded (2)', 'failed (1)', 'timed out (1)', 'unmatched (1)'])
      expect(legend).toContain(name);
  });

  it('writes success rate and p95 per schema and the top failures as text beside their bars', () => {
    const page = dashboard(runs);
    const schemas = page.slice(page.indexOf('<table id="schema-stats">'));
    expect(schemas).toMatch(/>disk<\/a><\/th>\s*<td class="num">3<\/td>/);
    expect(schemas).toContain('<span class="bar-value">66.7 %</span>');
    expect(page).toMatch(
      /<table id="failing-resources">[\s\S]*<code>\/vm\/1<\/code>[\s\S]*<span class="bar-value">1<\/span>/,
    );
    expect(page).toContain('<dd id="total-runs">5</dd>');
  });

  it('says there is nothing to show in an empty range', () => {
    const page = dashboard([]);
    expect(page).toContain('No runs in this range.');
    expect(page).toContain('No failures in this range.');
    expect(page).toContain('<dd id="success-rate">—</dd>');
  });
});

describe('the workers, approvals, audit and settings pages', () => {
  it('escape hostile worker names and hosts', () => {
    const page = renderWorkersPage([
      {
        capability: EVIL,
        workerId: EVIL,
        host: EVIL,
        version: EVIL,
        concurrency: 4,
        runningRuns: ['a', 'b'],
        lastSeen: '2026-05-01T00:00:00.000Z',
        alive: true,
        runbookIsolation: 'none',
      },
    ]).toString();
    expect(page).not.toMatch(INJECTED);
    expect(page).toContain('1 of 1 worker alive.');
    expect(page).toMatch(/<td class="num">2 \/ 4<\/td>/);
  });

  it('escape a hostile requester and schema name in the approvals inbox, and link to the run page', () => {
    const schema = testSchema({ id: 'gated', name: EVIL, requireApproval: true, approvers: [EVIL] });
    const trigger = { source: 'http' as const, actor: EVIL, team: null, principal: EVIL };
    const execution = planRun(schema, trigger, new Date('2026-05-01T00:00:00.000Z')).execution;
    const page = renderApprovalsPage(
      [{ execution, canApprove: false, canReject: false, cannotDecideBecause: EVIL }],
      new Date('2026-05-01T00:30:00.000Z'),
    ).toString();
    expect(page).not.toMatch(INJECTED);
    expect(page).toContain(`href="/api/logs/${execution.execId}#approval"`);
    expect(page).toContain('<h2>Waiting on others (1)</h2>');
    expect(page).toContain('30 min 00 s left');
  });

  it('escape hostile actors, targets and details in the audit log, and keep filters in the next page link', () => {
    const entry: AuditEntry = {
      at: '2026-05-01T00:00:00.000Z',
      action: 'trigger',
      actorKind: 'token',
      actorId: EVIL,
      from: EVIL,
      target: EVIL,
      details: { [EVIL]: EVIL },
    };
    const page = renderAuditPage({
      entries: [entry],
      filter: { action: 'trigger', actor: EVIL },
      continuation: undefined,
      nextContinuation: 'tok&en',
    }).toString();
    expect(page).not.toMatch(INJECTED);
    expect(page).toContain('<option value="trigger" selected>trigger</option>');
    expect(page).toMatch(
      /href="\/api\/console\/audit\?action=trigger&amp;actor=%3Cimg[^"]*&amp;continuation=tok%26en" rel="next"/,
    );
  });

  it('show settings as nested definition lists, escaping every value', () => {
    const page = renderSettingsPage({ a_b: { c: EVIL, d: true, e: [], f: null, g: 3 } }).toString();
    expect(page).not.toMatch(INJECTED);
    expect(page).toContain('<dt>a b</dt><dd><dl><dt>c</dt><dd><code>&lt;img');
    expect(page).toContain('<dt>d</dt><dd>yes</dd><dt>e</dt><dd><span class="muted">none</span></dd>');
  });
});
