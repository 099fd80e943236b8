import { z } from 'zod';
import { SchemaId } from '../core/runbook-schema.js';
import type { DashboardRange } from '../ui/index.js';
import { DASHBOARD_RANGES, renderDashboardPage } from '../ui/index.js';
import { defineHttp } from './definitions.js';
import { htmlResponse, renderError } from './http/html-page.js';
import { RunStatsReader } from './http/run-stats-reader.js';
import type { ServicesProvider } from './services.js';

/**
 * The dashboard's answers are reused this long and its range ends on this step: shorter than the API's
 * 30 s, so a run that just ended shows on the next reload, and still one scan of today per 10 s.
 */
export const DASHBOARD_CACHE_TTL_MS = 10_000;

const DashboardQuery = z.object({
  range: z.enum(Object.keys(DASHBOARD_RANGES) as [DashboardRange, ...DashboardRange[]]).default('24h'),
  schema: SchemaId.optional(),
});

/** `GET /api/console/dashboard?range=24h|7d|30d&schema=` (viewer): charts of runs, per schema, failures. */
export function dashboardPageFunction(services: ServicesProvider) {
  const reader = new RunStatsReader({ cacheTtlMs: DASHBOARD_CACHE_TTL_MS });
  return defineHttp(
    services,
    'DashboardPage',
    { route: 'console/dashboard', methods: ['GET'], authLevel: 'anonymous', role: 'viewer', renderError },
    async ({ request, services: { storage } }) => {
      // the filter form submits "all schemas" as an empty field
      const query = DashboardQuery.parse(Object.fromEntries([...request.query].filter(([, v]) => v !== '')));
      const toMs = Math.ceil(Date.now() / DASHBOARD_CACHE_TTL_MS) * DASHBOARD_CACHE_TTL_MS;
      const range = { fromMs: toMs - DASHBOARD_RANGES[query.range], toMs, schemaId: query.schema };
      // the schema list of the filter comes from the unfiltered answer, itself cached for other viewers
      const [answer, all] = await Promise.all([
        reader.read(storage, range),
        query.schema ? reader.read(storage, { ...range, schemaId: undefined }) : null,
      ]);
      const page = renderDashboardPage({
        range: query.range,
        schemaId: query.schema,
        stats: answer.stats,
        truncated: answer.truncated,
        computedAt: answer.computedAt,
        schemaIds: (all ?? answer).stats.schemas.map((s) => s.schemaId),
      });
      return htmlResponse(200, page);
    },
  );
}
