import { defineHttp } from './definitions.js';
import type { StatsAnswer } from './http/run-stats-reader.js';
import { RunStatsReader, STATS_CACHE_TTL_MS } from './http/run-stats-reader.js';
import { parseStatsRange } from './http/stats-query.js';
import type { ServicesProvider } from './services.js';

/**
 * `GET /api/stats?from=&to=&schema=`: runs by status per hour (ranges up to 48 h) or day, success rate
 * and p50/p95 duration per schema, top failing schemas and resources. Settled days come from their
 * digest; the rest of the range (at most 31 days) is read row by row, up to STATS_MAX_ROWS a scan, unless
 * the same question was answered within STATS_CACHE_TTL_MS.
 */
export function statsFunction(services: ServicesProvider) {
  const reader = new RunStatsReader();
  return defineHttp(
    services,
    'ExecutionStats',
    { route: 'stats', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => {
      const range = parseStatsRange(request.query, Date.now(), STATS_CACHE_TTL_MS);
      return { jsonBody: toStatsResource(await reader.read(storage, range), range.schemaId) };
    },
  );
}

/** The API's snake_case view of the statistics. */
function toStatsResource({ stats, truncated, computedAt }: StatsAnswer, schemaId: string | undefined) {
  return {
    from: new Date(stats.fromMs).toISOString(),
    to: new Date(stats.toMs).toISOString(),
    schema: schemaId ?? null,
    bucket: stats.bucket,
    truncated,
    computed_at: computedAt,
    runs: stats.total,
    by_status: stats.byStatus,
    buckets: stats.buckets.map((b) => ({ start: b.start, total: b.total, by_status: b.byStatus })),
    schemas: stats.schemas.map((s) => ({
      schema_id: s.schemaId,
      runs: s.runs,
      succeeded: s.succeeded,
      failures: s.failures,
      success_rate: s.successRate,
      p50_duration_ms: s.p50DurationMs,
      p95_duration_ms: s.p95DurationMs,
    })),
    top_failing_schemas: stats.topFailingSchemas.map((s) => ({
      schema_id: s.schemaId,
      failures: s.failures,
      runs: s.runs,
    })),
    top_failing_resources: stats.topFailingResources.map((r) => ({
      resource_id: r.resourceId,
      failures: r.failures,
      schema_ids: r.schemaIds,
    })),
  };
}
