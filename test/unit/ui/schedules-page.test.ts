import { describe, expect, it } from 'vitest';
import { Schedule } from '../../../src/core/schedule.js';
import type { ScheduleView } from '../../../src/ui/index.js';
import { renderRunbookPage, renderSchedulesPage } from '../../../src/ui/index.js';
import { testSchema } from '../../support/schemas.js';

const XSS = '<script>alert(1)</script>"\'&';
const XSS_TEXT = '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;';
const EXEC_ID = '019aef30-0000-7000-8000-000000000001';

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return Schedule.parse({
    id: 'nightly',
    schemaId: 'backup',
    cron: '0 2 * * *',
    timezone: 'Europe/Rome',
    origin: 'file',
    activeSince: '2026-12-01T00:00:00.000Z',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    ...overrides,
  });
}

function view(overrides: Partial<ScheduleView> = {}): ScheduleView {
  return {
    schedule: schedule(),
    nextTicks: ['2026-12-07T01:00:00.000Z', '2026-12-08T01:00:00.000Z'],
    lastRun: null,
    switchToken: null,
    ...overrides,
  };
}

const render = (views: ScheduleView[], notice: { scheduleId: string; enabled: boolean } | null = null) =>
  renderSchedulesPage({ schedules: views, notice }).toString();

describe('the Schedules page', () => {
  it('lists schedules of the file and of the API, each linking to its runbook, with cron, zone and origin', () => {
    const page = render([
      view(),
      view({ schedule: schedule({ id: 'hourly', schemaId: 'disk', cron: '@hourly', timezone: 'UTC', origin: 'api' }) }),
    ]);
    expect(page).toContain('<tr id="schedule-nightly">');
    expect(page).toContain('<a href="/api/console/runbooks/backup">backup</a>');
    expect(page).toContain('<code class="cron">0 2 * * *</code><br><span class="zone">Europe/Rome</span>');
    expect(page).toContain('<td class="origin">schemas file</td>');
    expect(page).toContain('<tr id="schedule-hourly">');
    expect(page).toContain('<td class="origin">API</td>');
    expect(page).toContain('2 schedules');
    expect(page).toContain('aria-current="page">Schedules</a>');
  });

  it('shows next fire times for the browser to put in the reader zone, and in the schedule zone', () => {
    const page = render([view()]);
    expect(page).toContain('<script src="/api/assets/local-times.js" defer></script>');
    expect(page).toContain(
      '<time datetime="2026-12-07T01:00:00.000Z" data-local-time>2026-12-07 01:00:00 UTC</time> <span class="muted zone-time">(2026-12-07 02:00 Europe/Rome)</span>',
    );
    expect(page).toContain('2026-12-08 02:00 Europe/Rome');
    expect(page).toContain('Times in your time zone, <span data-viewer-zone>UTC</span>');
  });

  it('says who disabled a schedule and when, and lists no fire time while it is disabled', () => {
    const page = render([
      view({
        schedule: schedule({
          enabledOverride: { enabled: false, by: 'ada (token 1a)', at: '2026-12-06T09:30:00.000Z' },
        }),
        nextTicks: [],
      }),
    ]);
    expect(page).toContain('<span class="badge badge-disabled">disabled</span>');
    expect(page).toContain(
      'disabled by ada (token 1a) at <time datetime="2026-12-06T09:30:00.000Z" data-local-time>2026-12-06 09:30:00 UTC</time><span class="muted"> (declared enabled)</span>',
    );
    expect(page).toContain('none while disabled');
  });

  it('shows the last tick with a link to its run and its outcome, and the missed ticks of an outage', () => {
    const page = render([
      view({
        schedule: schedule({
          missed: 'run-once',
          lastTick: '2026-12-06T01:00:00.000Z',
          lastExecId: EXEC_ID,
          missedTicks: { count: 3, first: '2026-12-04T01:00:00.000Z', last: '2026-12-06T01:00:00.000Z' },
        }),
        lastRun: { status: 'failed' },
      }),
    ]);
    expect(page).toContain(
      `<a href="/api/logs/${EXEC_ID}" class="last-run"><span class="badge badge-failed">failed</span> <code>019aef30</code></a>`,
    );
    expect(page).toContain('<p class="missed">3 missed (caught up once): <time datetime="2026-12-04T01:00:00.000Z"');
    expect(page).not.toContain('no longer kept');
  });

  it('still links a last run whose row retention removed, saying so', () => {
    const page = render([view({ schedule: schedule({ lastTick: '2026-12-06T01:00:00.000Z', lastExecId: EXEC_ID }) })]);
    expect(page).toContain(`<a href="/api/logs/${EXEC_ID}" class="last-run">run <code>019aef30</code></a>`);
    expect(page).toContain('(no longer kept)');
  });

  it('escapes every field of a schedule', () => {
    const hostile = schedule({
      schemaId: `s${XSS}`,
      cron: `c${XSS}`,
      timezone: `z${XSS}`,
      description: `d${XSS}`,
      lastError: `e${XSS}`,
      lastTick: '2026-12-06T01:00:00.000Z',
      enabledOverride: { enabled: true, by: `b${XSS}`, at: '2026-12-06T09:30:00.000Z' },
    });
    const page = render([view({ schedule: hostile, switchToken: `t${XSS}` })]);
    expect(page).not.toContain('<script>alert');
    for (const field of ['s', 'c', 'z', 'd', 'e', 'b', 't']) expect(page).toContain(`${field}${XSS_TEXT}`);
    expect(page).toContain(`href="/api/console/runbooks/s${encodeURIComponent(XSS).replaceAll("'", '&#39;')}"`);
  });

  it('gives an admin the switch the schedule offers, and a viewer no form at all', () => {
    const disabled = schedule({ id: 'off', enabled: false });
    const admins = render([view({ switchToken: 'tok-1' }), view({ schedule: disabled, switchToken: 'tok-2' })]);
    expect(admins).toContain(
      '<form method="post" action="/api/console/schedules/nightly/disable" class="schedule-switch">\n<input type="hidden" name="token" value="tok-1">\n<button type="submit" class="disable">Disable</button>',
    );
    expect(admins).toContain('action="/api/console/schedules/off/enable"');
    expect(admins).toContain('<button type="submit" class="enable">Enable</button>');
    const viewers = render([view(), view({ schedule: disabled })]);
    expect(viewers).not.toContain('<form');
    expect(viewers).not.toContain('name="token"');
  });

  it('says what a switch did only while it holds, so a crafted link cannot claim it', () => {
    expect(render([view()], { scheduleId: 'nightly', enabled: true })).toContain(
      '<p class="notice" role="status"><code>nightly</code> is enabled.</p>',
    );
    expect(render([view()], { scheduleId: 'nightly', enabled: false })).not.toContain('class="notice"');
    expect(render([view()], { scheduleId: 'other', enabled: true })).not.toContain('class="notice"');
  });

  it('tells where schedules come from when there is none', () => {
    expect(render([])).toContain('No schedule yet');
  });
});

describe('the runbook page', () => {
  const page = (schedules: Parameters<typeof renderRunbookPage>[0]['schedules']) =>
    renderRunbookPage({
      schema: testSchema({ id: 'backup' }),
      source: { path: 'backup.sh', commit: null, url: null, content: { problem: 'not published' } },
      recentRuns: [],
      now: new Date('2026-12-06T10:00:00.000Z'),
      runForm: null,
      schedules,
    }).toString();

  it("lists the schema's schedules with cron, zone, state and next fire, linking to the Schedules page", () => {
    const html = page([
      { schedule: schedule({ description: `d${XSS}` }), nextTick: '2026-12-07T01:00:00.000Z' },
      { schedule: schedule({ id: 'weekly', enabled: false }), nextTick: null },
    ]);
    expect(html).toContain('<h2 id="schedules-heading">Schedules</h2>');
    expect(html).toContain('<a href="/api/console/schedules#schedule-nightly"><code>nightly</code></a>');
    expect(html).toContain(`d${XSS_TEXT}`);
    expect(html).toContain('<td><code class="cron">0 2 * * *</code></td><td>Europe/Rome</td>');
    expect(html).toContain('<time datetime="2026-12-07T01:00:00.000Z" data-local-time>');
    expect(html).toContain('<span class="badge badge-disabled">disabled</span>');
    expect(html).toContain('<a href="/api/console/schedules">All schedules</a>');
    expect(html).toContain('/api/assets/local-times.js');
  });

  it('has no Schedules section, nor the script, for a runbook no schedule runs', () => {
    const html = page([]);
    expect(html).not.toContain('schedules-heading');
    expect(html).not.toContain('local-times.js');
  });
});
