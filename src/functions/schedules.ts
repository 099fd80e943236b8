import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { SchemaId } from '../core/runbook-schema.js';
import type { Schedule } from '../core/schedule.js';
import {
  clearEnabledOverride,
  overrideEnabled,
  ScheduleEntry,
  ScheduleId,
  scheduleParamsProblems,
} from '../core/schedule.js';
import type { Storage } from '../storage/index.js';
import { defineHttp } from './definitions.js';
import { audit } from './http/audit.js';
import { readJsonBody } from './http/body.js';
import { HttpError } from './http/errors.js';
import { DEFAULT_NEXT_TICKS, lastRunsOf, MAX_NEXT_TICKS, toScheduleView } from './http/schedule-resources.js';
import type { ServicesProvider } from './services.js';

/**
 * The admin API of schedules (README "HTTP API"): everyone who reads runs may see them; admins create,
 * replace and delete the ones made here (origin `api`), and enable or disable any, including those of the
 * schemas file, whose override outlives re-imports. Every change is audited.
 */

const ViewQuery = z.object({
  /** How many next fire times each schedule lists (default 3). */
  next: z.coerce.number().int().min(1).max(MAX_NEXT_TICKS).default(DEFAULT_NEXT_TICKS),
});

/** `PUT /api/schedules/{scheduleId}`: a schedule entry of the schemas file, with the schema it runs. */
const PutScheduleBody = ScheduleEntry.omit({ id: true }).extend({ schema_id: SchemaId }).strict();

const ScheduleParams = z.object({ scheduleId: ScheduleId });

/** What a file-origin schedule's change is answered with: where it is changed instead. */
function fileOriginRefusal(id: string): HttpError {
  return new HttpError(
    409,
    `schedule "${id}" is declared in the schemas file: change it there, ` +
      `or POST /api/schedules/${id}/enable|disable`,
  );
}

function notFound(id: string): HttpError {
  return new HttpError(404, `no schedule with id "${id}"`);
}

/**
 * The view's `?next=`, read before anything else: a route that changes a schedule checks it before the
 * write, so a bad value is a 400 that wrote nothing rather than a 400 after the change and its audit row.
 */
function nextTicksOf(request: HttpRequest): number {
  return ViewQuery.parse(Object.fromEntries(request.query)).next;
}

async function viewOf(storage: Storage, next: number, schedule: Schedule) {
  const lastRun = (await lastRunsOf(storage, [schedule])).get(schedule.id) ?? null;
  return toScheduleView(schedule, new Date(), next, lastRun);
}

/** `GET /api/schedules?next=` (viewer): every schedule, by id, with its next fire times and last run. */
export function listSchedulesFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'ListSchedules',
    { route: 'schedules', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => {
      const next = nextTicksOf(request);
      const schedules = (await storage.schedules.list()).sort((a, b) => a.id.localeCompare(b.id));
      const lastRuns = await lastRunsOf(storage, schedules);
      const now = new Date();
      return {
        jsonBody: { schedules: schedules.map((s) => toScheduleView(s, now, next, lastRuns.get(s.id) ?? null)) },
      };
    },
  );
}

/** `GET /api/schedules/{scheduleId}?next=` (viewer): one schedule; 404 naming the id. */
export function getScheduleFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'GetSchedule',
    { route: 'schedules/{scheduleId}', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => {
      const { scheduleId } = ScheduleParams.parse(request.params);
      const next = nextTicksOf(request);
      const schedule = await storage.schedules.get(scheduleId);
      if (!schedule) throw notFound(scheduleId);
      return { jsonBody: await viewOf(storage, next, schedule) };
    },
  );
}

/**
 * `PUT /api/schedules/{scheduleId}` (admin) `{schema_id, cron, timezone?, params?, enabled?, missed?,
 * description?}`: creates (201) or replaces (200) a schedule of origin `api`; a replace keeps the
 * scheduler's state and any override. Everything is checked before anything is written: the cron, the
 * zone, the schema and the params against its parameters (400 naming the field). A schedule of the
 * schemas file is a 409: it is changed in the file.
 */
export function putScheduleFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'PutSchedule',
    { route: 'schedules/{scheduleId}', methods: ['PUT'], authLevel: 'anonymous', role: 'admin' },
    async ({ request, context, caller, services: s }) => {
      const { scheduleId } = ScheduleParams.parse(request.params);
      const next = nextTicksOf(request);
      const { schema_id: schemaId, ...fields } = PutScheduleBody.parse(
        (await readJsonBody(request, s.settings.maxBodyBytes)) ?? {},
      );
      const schema = await s.storage.schemas.get(schemaId);
      if (!schema) throw new HttpError(400, `schema_id: no runbook schema with id "${schemaId}"`);
      // a schedule's values are checked now, not when its first tick cannot start a run
      const [problem] = scheduleParamsProblems(fields.params, schema.parameters);
      if (problem) throw new HttpError(400, problem);
      const put = await s.storage.schedules.put({ schemaId, entry: { id: scheduleId, ...fields } });
      if (!put.ok) throw fileOriginRefusal(scheduleId);
      await audit(s.storage, context, {
        caller,
        request,
        action: put.created ? 'schedule.create' : 'schedule.update',
        target: scheduleId,
        details: { schema: schemaId, cron: fields.cron, timezone: fields.timezone, enabled: String(fields.enabled) },
      });
      return {
        status: put.created ? 201 : 200,
        jsonBody: await viewOf(s.storage, next, put.schedule),
      };
    },
  );
}

/** `DELETE /api/schedules/{scheduleId}` (admin): a schedule made through the API; 404 absent, 409 file-origin. */
export function deleteScheduleFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'DeleteSchedule',
    { route: 'schedules/{scheduleId}', methods: ['DELETE'], authLevel: 'anonymous', role: 'admin' },
    async ({ request, context, caller, services: { storage } }) => {
      const { scheduleId } = ScheduleParams.parse(request.params);
      // the file's schedules come back with the next import: deleting one here would only seem to work
      const outcome = await storage.schedules.deleteIf(scheduleId, (current) => current.origin === 'api');
      if (!outcome) throw notFound(scheduleId);
      if (!outcome.deleted) throw fileOriginRefusal(scheduleId);
      await audit(storage, context, {
        caller,
        request,
        action: 'schedule.delete',
        target: scheduleId,
        details: { schema: outcome.schedule.schemaId, cron: outcome.schedule.cron },
      });
      return { status: 204 };
    },
  );
}

/**
 * `POST /api/schedules/{scheduleId}/enable` and `/disable` (admin): whether the schedule fires, for
 * schedules of either origin, recorded with who and when. Idempotent: a schedule already overridden the
 * same way is not written again, keeping who did it first, and no audit row is added.
 */
export function setScheduleEnabledFunction(services: ServicesProvider, enabled: boolean) {
  const verb = enabled ? 'enable' : 'disable';
  return defineHttp(
    services,
    enabled ? 'EnableSchedule' : 'DisableSchedule',
    { route: `schedules/{scheduleId}/${verb}`, methods: ['POST'], authLevel: 'anonymous', role: 'admin' },
    async ({ request, context, caller, services: { storage } }) => {
      const { scheduleId } = ScheduleParams.parse(request.params);
      const next = nextTicksOf(request);
      let changed = false;
      const schedule = await storage.schedules.update(scheduleId, (current) => {
        changed = current.enabledOverride?.enabled !== enabled;
        return changed ? overrideEnabled(current, enabled, caller.principal, new Date()) : null;
      });
      if (!schedule) throw notFound(scheduleId);
      if (changed) {
        await audit(storage, context, {
          caller,
          request,
          action: enabled ? 'schedule.enable' : 'schedule.disable',
          target: scheduleId,
          details: { schema: schedule.schemaId, origin: schedule.origin },
        });
      }
      return { jsonBody: await viewOf(storage, next, schedule) };
    },
  );
}

/**
 * `DELETE /api/schedules/{scheduleId}/override` (admin): the schedule follows its declaration again (the
 * file's or the API's `enabled`), as after an incident the admin disabled it for. Idempotent: nothing to
 * clear answers the same view and adds no audit row.
 */
export function clearScheduleOverrideFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'ClearScheduleOverride',
    { route: 'schedules/{scheduleId}/override', methods: ['DELETE'], authLevel: 'anonymous', role: 'admin' },
    async ({ request, context, caller, services: { storage } }) => {
      const { scheduleId } = ScheduleParams.parse(request.params);
      const next = nextTicksOf(request);
      let was: boolean | null = null;
      const schedule = await storage.schedules.update(scheduleId, (current) => {
        was = current.enabledOverride?.enabled ?? null;
        return clearEnabledOverride(current, new Date());
      });
      if (!schedule) throw notFound(scheduleId);
      if (was !== null) {
        await audit(storage, context, {
          caller,
          request,
          action: 'schedule.override.clear',
          target: scheduleId,
          details: { schema: schedule.schemaId, was: was ? 'enabled' : 'disabled' },
        });
      }
      return { jsonBody: await viewOf(storage, next, schedule) };
    },
  );
}
