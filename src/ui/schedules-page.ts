import type { ExecutionStatus } from '../core/execution.js';
import type { Schedule } from '../core/schedule.js';
import { isScheduleEnabled } from '../core/schedule.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { layout, statusBadge } from './layout.js';
import { executionUrl } from './links.js';
import { LOCAL_TIMES_SCRIPT_PATH, localTime, viewerZone } from './local-times.js';
import { runbookUrl } from './runbooks-page.js';
import { fireTime, SCHEDULE_STYLES, SCHEDULES_PAGE_PATH, scheduleState } from './schedule-cells.js';

/** The run of a schedule's last fired tick, as far as it has got. */
export interface ScheduleRunView {
  readonly status: ExecutionStatus;
}

/** One schedule as the console shows it. */
export interface ScheduleView {
  readonly schedule: Schedule;
  /** The next fire times (ISO), soonest first; empty while disabled or when the cron has none left. */
  readonly nextTicks: readonly string[];
  /** The run of the last fired tick; null when none fired or its row is no longer kept. */
  readonly lastRun: ScheduleRunView | null;
  /** For an admin, the token of the one switch the schedule offers (Disable or Enable); null for others. */
  readonly switchToken: string | null;
}

/** What an admin's switch just did, said on the page it lands on. */
export interface ScheduleNotice {
  readonly scheduleId: string;
  readonly enabled: boolean;
}

export interface SchedulesPageInput {
  readonly schedules: readonly ScheduleView[];
  /** Shown only when the schedule is in that state now, so a crafted link cannot claim what did not happen. */
  readonly notice: ScheduleNotice | null;
}

/** The URL of an admin's switch of one schedule. */
export function scheduleSwitchUrl(scheduleId: string, to: 'enable' | 'disable'): string {
  return `${SCHEDULES_PAGE_PATH}/${encodeURIComponent(scheduleId)}/${to}`;
}

function switchForm(schedule: Schedule, token: string): HtmlFragment {
  const to = isScheduleEnabled(schedule) ? 'disable' : 'enable';
  return html`<form method="post" action="${scheduleSwitchUrl(schedule.id, to)}" class="schedule-switch">
<input type="hidden" name="token" value="${token}">
<button type="submit" class="${to}">${to === 'disable' ? 'Disable' : 'Enable'}</button>
</form>`;
}

function nextFires(view: ScheduleView): HtmlFragment {
  const { schedule, nextTicks } = view;
  if (!isScheduleEnabled(schedule)) return html`<span class="muted">none while disabled</span>`;
  if (nextTicks.length === 0) return html`<span class="muted">no tick to come</span>`;
  return html`<ol class="next-fires">${nextTicks.map((t) => html`<li>${fireTime(t, schedule.timezone)}</li>`)}</ol>`;
}

function lastTick(view: ScheduleView): HtmlFragment {
  const { schedule, lastRun } = view;
  const run =
    schedule.lastExecId &&
    html`<br><a href="${executionUrl(schedule.lastExecId)}" class="last-run">${lastRun ? statusBadge(lastRun.status) : html`run`} <code>${schedule.lastExecId.slice(0, 8)}</code></a>${lastRun ? '' : html` <span class="muted">(no longer kept)</span>`}`;
  const missed =
    schedule.missedTicks &&
    html`<p class="missed">${schedule.missedTicks.count} missed (${schedule.missed === 'run-once' ? 'caught up once' : 'skipped'}): ${localTime(schedule.missedTicks.first)} to ${localTime(schedule.missedTicks.last)}</p>`;
  const error = schedule.lastError && html`<p class="schedule-error">Could not start: ${schedule.lastError}</p>`;
  return html`${schedule.lastTick ? localTime(schedule.lastTick) : html`<span class="muted">none yet</span>`}${run}${missed}${error}`;
}

function row(view: ScheduleView): HtmlFragment {
  const { schedule } = view;
  return html`<tr id="schedule-${schedule.id}">
<td class="schedule"><code>${schedule.id}</code>${schedule.description && html`<br><span class="description">${schedule.description}</span>`}</td>
<td><a href="${runbookUrl(schedule.schemaId)}">${schedule.schemaId}</a></td>
<td><code class="cron">${schedule.cron}</code><br><span class="zone">${schedule.timezone}</span></td>
<td class="state">${scheduleState(schedule)}${view.switchToken && switchForm(schedule, view.switchToken)}</td>
<td class="next">${nextFires(view)}</td>
<td class="last">${lastTick(view)}</td>
<td class="origin">${schedule.origin === 'file' ? 'schemas file' : 'API'}</td>
</tr>`;
}

function notice(input: SchedulesPageInput): HtmlFragment | '' {
  const { notice: done } = input;
  const shown = done && input.schedules.find((v) => v.schedule.id === done.scheduleId);
  if (!done || !shown || isScheduleEnabled(shown.schedule) !== done.enabled) return '';
  return html`<p class="notice" role="status"><code>${done.scheduleId}</code> is ${done.enabled ? 'enabled' : 'disabled'}.</p>`;
}

/** `GET /api/console/schedules`: every schedule, when it fires next, what its last tick did. */
export function renderSchedulesPage(input: SchedulesPageInput): HtmlFragment {
  const { schedules } = input;
  const table =
    schedules.length === 0
      ? html`<p class="empty">No schedule yet: declare one under <code>schedules</code> of a schema in the schemas file.</p>`
      : html`<table id="schedules">
<caption class="muted">Times in your time zone, ${viewerZone}; a schedule's own zone in brackets.</caption>
<thead><tr><th scope="col">Schedule</th><th scope="col">Runbook</th><th scope="col">Cron</th><th scope="col">State</th><th scope="col">Next fires</th><th scope="col">Last tick</th><th scope="col">Origin</th></tr></thead>
<tbody>${schedules.map(row)}</tbody>
</table>`;
  return layout({
    title: 'Schedules',
    section: 'schedules',
    styles: SCHEDULE_STYLES,
    scripts: [LOCAL_TIMES_SCRIPT_PATH],
    body: html`<h1>Schedules</h1>
${notice(input)}
<p class="count">${schedules.length === 1 ? '1 schedule' : `${schedules.length} schedules`}</p>
${table}`,
  });
}
