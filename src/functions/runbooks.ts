import { z } from 'zod';
import { hasRole } from '../core/access.js';
import { isFormToken } from '../core/form-token.js';
import { WORKER_NAME_PATTERN } from '../core/resource-names.js';
import { runbookLinkOf } from '../core/runbook-catalogue.js';
import type { RunbookSchema } from '../core/runbook-schema.js';
import { TeamName } from '../core/runbook-schema.js';
import { pageSchemas } from '../core/schema-query.js';
import type { RunbookSourceView } from '../ui/index.js';
import { executionUrl, renderRunbookPage, renderRunbooksPage, sourceLanguage } from '../ui/index.js';
import type { HttpCall } from './definitions.js';
import { defineHttp } from './definitions.js';
import { readBodyText } from './http/body.js';
import { HttpError } from './http/errors.js';
import { htmlResponse, renderError } from './http/html-page.js';
import { readLastRuns } from './http/last-runs.js';
import { requestedBy, startManualRun } from './http/manual-run.js';
import type { RunFormInput } from './http/run-form-input.js';
import { readRunForm, runFormView } from './http/run-form-input.js';
import { readRunbookSource } from './http/runbook-source.js';
import { readSchemaSchedules } from './http/schedule-views.js';
import { loadSchema } from './schemas.js';
import type { ServicesProvider } from './services.js';

/** Runs the runbook page lists. */
const RECENT_RUNS = 20;

const CatalogueQuery = z.object({
  q: z.string().trim().max(200).optional(),
  worker: z.string().regex(WORKER_NAME_PATTERN, 'must be 1-30 letters, digits, ".", "_" or "-"').optional(),
  team: TeamName.optional(),
});

const distinct = (values: readonly (string | null)[]) =>
  [...new Set(values.filter((v): v is string => v !== null))].sort();

/**
 * `GET /api/console/runbooks` (viewer): every schema, filtered by free text, worker and team, each with
 * its last run. Costs one read of the schemas table and one scan of recent runs (readLastRuns: at most
 * five requests, whatever the number of schemas).
 */
export function runbooksPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'RunbooksPage',
    { route: 'console/runbooks', methods: ['GET'], authLevel: 'anonymous', role: 'viewer', renderError },
    async ({ request, services: { storage } }) => {
      // the filter form submits its "any" choices and an empty search as empty fields
      const query = CatalogueQuery.parse(Object.fromEntries([...request.query].filter(([, value]) => value !== '')));
      const [all, lastRuns] = await Promise.all([storage.schemas.list(), readLastRuns(storage, Date.now())]);
      const page = pageSchemas(all, {
        worker: query.worker,
        team: query.team,
        text: query.q || undefined,
        limit: Math.max(1, all.length),
      });
      if (!page.ok) throw new HttpError(400, page.problem);
      const rendered = renderRunbooksPage({
        runbooks: page.schemas.map((schema) => ({ schema, lastRun: lastRuns.bySchema.get(schema.id) ?? null })),
        filter: query,
        workers: distinct(all.map((s) => s.worker)),
        teams: distinct(all.map((s) => s.team)),
        total: all.length,
        lastRunSince: new Date(lastRuns.sinceMs).toISOString(),
      });
      return htmlResponse(200, rendered);
    },
  );
}

/** The runbook page: its source and recent runs read at once, and for an operator the Run form. */
async function runbookPage(call: HttpCall, schema: RunbookSchema, status: number, sent?: RunFormInput) {
  const { caller, services } = call;
  const now = new Date();
  const [read, recent, schedules] = await Promise.all([
    readRunbookSource(services.storage, schema),
    services.storage.executions.list({ schemaId: schema.id, limit: RECENT_RUNS }),
    readSchemaSchedules(services.storage, schema.id, now),
  ]);
  const text = read.ok ? read.content.toString('utf8') : '';
  const source: RunbookSourceView = {
    path: schema.runbook,
    commit: read.catalogue?.commit ?? null,
    url: read.ok ? runbookLinkOf(read.catalogue, schema.runbook) : read.link,
    content: read.ok ? { text, language: sourceLanguage(schema.runbook, text) } : { problem: read.problem },
  };
  const runForm = hasRole(caller, 'operator') ? runFormView(services.formKey, caller.id, schema, sent) : null;
  const rendered = renderRunbookPage({ schema, source, recentRuns: recent.executions, now, runForm, schedules });
  return htmlResponse(status, rendered);
}

/** `GET /api/console/runbooks/{schemaId}` (viewer): schema, parameters, source, recent runs, Run form. */
export function runbookPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'RunbookPage',
    { route: 'console/runbooks/{schemaId}', methods: ['GET'], authLevel: 'anonymous', role: 'viewer', renderError },
    async (call) => runbookPage(call, await loadSchema(call.services.storage, call.request), 200),
  );
}

/**
 * `POST /api/console/runbooks/{schemaId}/run` (operator): the Run form. Besides the cross-site check
 * every POST gets, it carries a token bound to the person, the schema and the purpose `run-form`.
 * Starts the run as `POST /api/executions` does and answers 303 to the run's page (a reload does not
 * post again); invalid parameters bring the page back (400) with each problem beside its field.
 */
export function runFormFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'RunForm',
    {
      route: 'console/runbooks/{schemaId}/run',
      methods: ['POST'],
      authLevel: 'anonymous',
      role: 'operator',
      renderError,
    },
    async (call) => {
      const { caller, services: s } = call;
      const schema = await loadSchema(s.storage, call.request);
      const form = new URLSearchParams(await readBodyText(call.request, s.settings.maxBodyBytes));
      if (!isFormToken(s.formKey, caller.id, schema.id, form.get('token') ?? '', 'run-form')) {
        throw new HttpError(
          403,
          'this form was not issued to you for this runbook: reload the runbook page and run again',
        );
      }
      const sent = readRunForm(schema, form);
      if (!sent.ok) return runbookPage(call, schema, 400, sent);
      const trigger = requestedBy(caller, 'console', null);
      const { execId } = await startManualRun(call, { schema, trigger, params: sent.params, action: 'trigger' });
      return { status: 303, headers: { location: executionUrl(execId) } };
    },
  );
}
