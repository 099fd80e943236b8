import { z } from 'zod';
import { ScheduleId } from '../core/schedule.js';
import { wallClock } from '../core/wall-clock.js';
import type { Connect } from './api-command.js';
import { alignColumns, withClient } from './api-command.js';
import type { CommandOutput } from './schemas-command.js';

/**
 * `cloudo schedules list|enable|disable|reset|next`: schedules through the admin API, as the caller. The fields
 * read are those of the app's schedule view (`toScheduleView`) the commands print; the rest is ignored,
 * since the app may be older or newer than the CLI.
 */
const ScheduleView = z.object({
  id: z.string(),
  schema_id: z.string(),
  cron: z.string(),
  timezone: z.string(),
  enabled: z.boolean(),
  enabled_override: z.object({ enabled: z.boolean(), by: z.string(), at: z.string() }).nullable(),
  origin: z.string(),
  last_tick: z.string().nullable(),
  next_ticks: z.array(z.string()),
  last_run: z.object({ exec_id: z.string(), status: z.string().nullable() }).nullable(),
  missed_ticks: z.object({ count: z.number() }).nullable().optional(),
});
type ScheduleView = z.infer<typeof ScheduleView>;

const ScheduleList = z.object({ schedules: z.array(ScheduleView) });

/** Fire times `next` prints at most: the API's own cap. */
const MAX_COUNT = 100;

const usage = (line: string): CommandOutput => ({ exitCode: 2, lines: [line] });

function scheduleIdOf(value: string): string | null {
  return ScheduleId.safeParse(value).success ? value : null;
}

const notAnId = (value: string) => usage(`"${value}" is not a schedule id (cloudo schedules list shows them)`);

/** `cloudo schedules list`: one line per schedule. */
export function listSchedules(connect: Connect): Promise<CommandOutput> {
  return withClient(connect, async (client) => {
    const answer = await client.get('/api/schedules?next=1', ScheduleList);
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    const { schedules } = answer.value;
    if (schedules.length === 0) return { exitCode: 0, lines: ['no schedules'] };
    const header = ['ID', 'SCHEMA', 'CRON', 'ZONE', 'ENABLED', 'NEXT FIRE (UTC)', 'LAST RUN'];
    return { exitCode: 0, lines: alignColumns([header, ...schedules.map(scheduleRow)]) };
  });
}

/** `cloudo schedules enable ID` and `cloudo schedules disable ID`: idempotent; who and when is recorded. */
export function setScheduleEnabled(connect: Connect, id: string, enabled: boolean): Promise<CommandOutput> {
  const scheduleId = scheduleIdOf(id);
  if (!scheduleId) return Promise.resolve(notAnId(id));
  const verb = enabled ? 'enable' : 'disable';
  return withClient(connect, async (client) => {
    const answer = await client.post(`/api/schedules/${encodeURIComponent(scheduleId)}/${verb}`, {}, ScheduleView);
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    const s = answer.value;
    const by = s.enabled_override ? ` (by ${s.enabled_override.by} at ${s.enabled_override.at})` : '';
    const next = s.enabled && s.next_ticks[0] ? `; next fire ${utc(s.next_ticks[0])}` : '';
    return { exitCode: 0, lines: [`schedule ${s.id} ${enabled ? 'enabled' : 'disabled'}${by}${next}`] };
  });
}

/** `cloudo schedules reset ID`: the admin's override cleared, so the schedule follows its declaration again. */
export function resetSchedule(connect: Connect, id: string): Promise<CommandOutput> {
  const scheduleId = scheduleIdOf(id);
  if (!scheduleId) return Promise.resolve(notAnId(id));
  return withClient(connect, async (client) => {
    const answer = await client.delete(`/api/schedules/${encodeURIComponent(scheduleId)}/override`, ScheduleView);
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    const s = answer.value;
    const next = s.enabled && s.next_ticks[0] ? `; next fire ${utc(s.next_ticks[0])}` : '';
    const state = s.enabled ? 'enabled' : 'disabled';
    return { exitCode: 0, lines: [`schedule ${s.id} follows its declaration again: ${state}${next}`] };
  });
}

/** `cloudo schedules next ID [--count N]`: its next fire times in its own zone and in UTC. */
export function nextFires(connect: Connect, id: string, count: string | undefined): Promise<CommandOutput> {
  const scheduleId = scheduleIdOf(id);
  if (!scheduleId) return Promise.resolve(notAnId(id));
  const n = count === undefined ? 5 : Number(count);
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT) {
    return Promise.resolve(usage(`--count must be a whole number from 1 to ${MAX_COUNT}`));
  }
  return withClient(connect, async (client) => {
    const answer = await client.get(`/api/schedules/${encodeURIComponent(scheduleId)}?next=${n}`, ScheduleView);
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    const s = answer.value;
    if (s.next_ticks.length === 0) return { exitCode: 0, lines: [`schedule ${s.id} (${s.cron}) never fires again`] };
    const rows = s.next_ticks.map((t) => [inZone(t, s.timezone), utc(t)]);
    const lines = alignColumns([[`LOCAL (${s.timezone})`, 'UTC'], ...rows]);
    // the times are still worth seeing: they are when it would fire once enabled
    if (!s.enabled) lines.push(`schedule ${s.id} is disabled${overrideNote(s)}: it fires at these times once enabled`);
    return { exitCode: 0, lines };
  });
}

function scheduleRow(s: ScheduleView): string[] {
  const enabled = `${s.enabled ? 'yes' : 'no'}${overrideNote(s)}`;
  const next = s.enabled ? (s.next_ticks[0] ? utc(s.next_ticks[0]) : 'never') : '-';
  return [s.id, s.schema_id, s.cron, s.timezone, enabled, next, lastRun(s)];
}

function overrideNote(s: ScheduleView): string {
  return s.enabled_override ? ` (by ${s.enabled_override.by})` : '';
}

function lastRun(s: ScheduleView): string {
  if (!s.last_run) return s.last_tick ? `${utc(s.last_tick)} no run` : '-';
  const when = s.last_tick ? `${utc(s.last_tick)} ` : '';
  return `${when}${s.last_run.status ?? 'purged'} ${s.last_run.exec_id}`;
}

/** `2026-12-06 11:00:00Z`: seconds kept, since a 6-field cron fires on them. */
function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** `2026-12-07 02:30:00 GMT+1`: the wall-clock time the cron names, with the zone's offset of that day. */
export function inZone(iso: string, timeZone: string): string {
  // a zone this Node does not know (older tz data than the app's): UTC is still right
  return wallClock(iso, timeZone, { seconds: true, zoneName: 'shortOffset' }) ?? utc(iso);
}
