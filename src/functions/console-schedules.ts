import { z } from 'zod';
import { isFormToken } from '../core/form-token.js';
import { ScheduleId } from '../core/schedule.js';
import { renderSchedulesPage, SCHEDULES_PAGE_PATH } from '../ui/index.js';
import type { HttpFunctionDefinition } from './definitions.js';
import { defineHttp } from './definitions.js';
import { audit } from './http/audit.js';
import { readBodyText } from './http/body.js';
import { HttpError } from './http/errors.js';
import { htmlResponse, renderError } from './http/html-page.js';
import { readScheduleViews } from './http/schedule-views.js';
import type { ServicesProvider } from './services.js';

/** What a switch did, carried by its redirect so the page can say so (only if it still holds). */
const NoticeQuery = z.object({
  done: z.enum(['enable', 'disable']).optional(),
  schedule: ScheduleId.optional(),
});

/**
 * `GET /api/console/schedules` (viewer): every schedule with its next fire times (in the reader's zone, by
 * script), its last tick and that tick's run, missed ticks and where it was declared; an admin also gets
 * each schedule's Enable or Disable button.
 */
export function schedulesPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'SchedulesPage',
    { route: 'console/schedules', methods: ['GET'], authLevel: 'anonymous', role: 'viewer', renderError },
    async ({ request, caller, services: s }) => {
      const query = NoticeQuery.safeParse(Object.fromEntries(request.query));
      const { done, schedule } = query.success ? query.data : {};
      const views = await readScheduleViews(s.storage, caller, s.formKey, new Date());
      const notice = done && schedule ? { scheduleId: schedule, enabled: done === 'enable' } : null;
      return htmlResponse(200, renderSchedulesPage({ schedules: views, notice }));
    },
  );
}

/**
 * `POST /api/console/schedules/{scheduleId}/enable|disable` (admin): the Schedules page's switch. Besides
 * the cross-site check every POST gets, it carries a token bound to the person, the schedule and the
 * direction. Records the override with who and when (it outlives re-imports of the schemas file), audits
 * it and answers 303 back to the page, which shows the new state.
 */
function scheduleSwitchFunction(services: ServicesProvider, to: 'enable' | 'disable'): HttpFunctionDefinition {
  const enabled = to === 'enable';
  return defineHttp(
    services,
    enabled ? 'ScheduleEnableForm' : 'ScheduleDisableForm',
    {
      route: `console/schedules/{scheduleId}/${to}`,
      methods: ['POST'],
      authLevel: 'anonymous',
      role: 'admin',
      renderError,
    },
    async ({ request, context, caller, services: s }) => {
      const { scheduleId } = z.object({ scheduleId: ScheduleId }).parse(request.params);
      // an unknown schedule is a 404 whatever the token: a stale page names one an import removed
      if (!(await s.storage.schedules.get(scheduleId))) throw new HttpError(404, `no schedule with id "${scheduleId}"`);
      const form = new URLSearchParams(await readBodyText(request, s.settings.maxBodyBytes));
      const purpose = enabled ? 'schedule-enable-form' : 'schedule-disable-form';
      if (!isFormToken(s.formKey, caller.id, scheduleId, form.get('token') ?? '', purpose)) {
        throw new HttpError(
          403,
          'this form was not issued to you for this schedule: reload the Schedules page and try again',
        );
      }
      const changed = await s.storage.schedules.setEnabled(scheduleId, enabled, caller.id);
      if (!changed) throw new HttpError(404, `no schedule with id "${scheduleId}"`);
      await audit(s.storage, context, {
        caller,
        request,
        action: enabled ? 'schedule.enable' : 'schedule.disable',
        target: scheduleId,
        details: { schema: changed.schemaId, via: 'console' },
      });
      const back = `${SCHEDULES_PAGE_PATH}?done=${to}&schedule=${encodeURIComponent(scheduleId)}#schedule-${encodeURIComponent(scheduleId)}`;
      return { status: 303, headers: { location: back } };
    },
  );
}

export const scheduleEnableFormFunction = (services: ServicesProvider) => scheduleSwitchFunction(services, 'enable');
export const scheduleDisableFormFunction = (services: ServicesProvider) => scheduleSwitchFunction(services, 'disable');
