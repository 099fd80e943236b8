import type { Schedule } from '../core/schedule.js';
import { isScheduleEnabled } from '../core/schedule.js';
import { wallClock } from '../core/wall-clock.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { timeCell } from './layout.js';
import { localTime } from './local-times.js';

/** Where the console lists schedules; `#schedule-<id>` is the row of one. */
export const SCHEDULES_PAGE_PATH = '/api/console/schedules';

export function scheduleUrl(scheduleId: string): string {
  return `${SCHEDULES_PAGE_PATH}#schedule-${encodeURIComponent(scheduleId)}`;
}

/**
 * `2026-12-07 09:00 Europe/Rome`: a tick as the schedule's own zone reads it, so a reader in another zone
 * sees both what their clock will say and what the cron line means.
 */
export function zoneTime(iso: string, zone: string): string {
  // a zone this runtime does not know: the time in the reader's zone still says when
  const time = wallClock(iso, zone);
  return time === null ? '' : `${time} ${zone}`;
}

/** One fire time: in the reader's zone (by script; UTC without), and in the schedule's zone. */
export function fireTime(iso: string, zone: string): HtmlFragment {
  const own = zone === 'UTC' ? '' : zoneTime(iso, zone);
  return html`${localTime(iso)}${own && html` <span class="muted zone-time">(${own})</span>`}`;
}

/** Enabled or disabled, and who overrode the declaration when an admin did. */
export function scheduleState(schedule: Schedule): HtmlFragment {
  const enabled = isScheduleEnabled(schedule);
  const label = enabled
    ? html`<span class="badge badge-enabled">enabled</span>`
    : html`<span class="badge badge-disabled">disabled</span>`;
  const override = schedule.enabledOverride;
  if (!override) return label;
  const declared = schedule.enabled ? 'enabled' : 'disabled';
  return html`${label} <span class="override">${override.enabled ? 'enabled' : 'disabled'} by ${override.by} at ${timeCell(override.at, true)}<span class="muted"> (declared ${declared})</span></span>`;
}

/** The next fire time, or why there is none. */
function nextFireCell(schedule: Schedule, nextTick: string | null): HtmlFragment {
  if (!isScheduleEnabled(schedule)) return html`<span class="muted">none while disabled</span>`;
  return nextTick ? fireTime(nextTick, schedule.timezone) : html`<span class="muted">no tick to come</span>`;
}

/** The badges' colours, for the pages that show schedules. */
export const SCHEDULE_STYLES = html`<style>
  .badge-enabled { background: #16a34a; }
  .badge-disabled { background: #6b7280; }
  .override { display: block; font-size: .85rem; }
  ol.next-fires { margin: 0; padding-left: 1.1rem; }
  .missed { color: #a16207; }
  .schedule-error { color: #b91c1c; }
  @media (prefers-color-scheme: dark) { .schedule-error { color: #fca5a5; } }
  form.schedule-switch { margin-top: .35rem; }
  form.schedule-switch button { font: inherit; padding: .2rem .75rem; }
  p.notice { border-left: 4px solid #16a34a; padding: .25rem .75rem; }
</style>`;

/** A schedule on its runbook's page: when it fires next. */
export interface RunbookScheduleView {
  readonly schedule: Schedule;
  /** The next fire time (ISO); null while disabled or when the cron has none left. */
  readonly nextTick: string | null;
}

/** The runbook page's Schedules section; nothing for a runbook no schedule runs. */
export function schedulesSection(views: readonly RunbookScheduleView[]): HtmlFragment | '' {
  if (views.length === 0) return '';
  const rows = views.map(
    ({ schedule, nextTick }) => html`<tr id="schedule-${schedule.id}">
<td><a href="${scheduleUrl(schedule.id)}"><code>${schedule.id}</code></a>${schedule.description && html`<br><span class="description">${schedule.description}</span>`}</td>
<td><code class="cron">${schedule.cron}</code></td><td>${schedule.timezone}</td>
<td class="state">${scheduleState(schedule)}</td><td class="next">${nextFireCell(schedule, nextTick)}</td></tr>`,
  );
  return html`<section aria-labelledby="schedules-heading"><h2 id="schedules-heading">Schedules</h2>
<table id="runbook-schedules"><thead><tr><th scope="col">Schedule</th><th scope="col">Cron</th><th scope="col">Time zone</th><th scope="col">State</th><th scope="col">Next fire (your time zone)</th></tr></thead>
<tbody>${rows}</tbody></table>
<p><a href="${SCHEDULES_PAGE_PATH}">All schedules</a></p></section>`;
}
