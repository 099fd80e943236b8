import type { RunStats } from '../core/run-stats.js';
import { computeRunStats } from '../core/run-stats.js';
import { defineHttp } from './definitions.js';
import { parseStatsRange } from './http/stats-query.js';
import { TtlCache } from './http/ttl-cache.js';
import type { ServicesProvider } from './services.js';

/** How long an answer is reused, and the step the default range's end is rounded up to. */
export const STATS_CACHE_TTL_MS = 30_000;
/** Runs read at most per call (50 requests of 1000 rows); beyond, the answer says `truncated`. */
export const STATS_MAX_ROWS = 50_000;
const STATS_CACHE_ENTRIES = 100;

interface StatsAnswer {
  readonly stats: RunStats;
  readonly truncated: boolean;
  readonly computedAt: string;
}

/**
 * `GET /api/stats?from=&to=&schema=`: runs by status per hour (ranges up to 48 h) or day, success rate
 * and p50/p95 duration per schema, top failing schemas and resources. Each call reads the runs of its
 * range (at most 31 days and STATS_MAX_ROWS rows, a few fields each) unless the same question was
 * answered within STATS_CACHE_TTL_MS.
 */
export function statsFunction(services: ServicesProvider) {
  const cache = new TtlCache<StatsAnswer>(STATS_CACHE_TTL_MS, STATS_CACHE_ENTRIES);
  return defineHttp(
    services,
    'ExecutionStats',
    { route: 'stats', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => {
      const { fromMs, toMs, schemaId } = parseStatsRange(request.query, Date.now(), STATS_CACHE_TTL_MS);
      const answer = await cache.get(
        `${storage.names.executionsTable}|${fromMs}|${toMs}|${schemaId ?? ''}`,
        async () => {
          const scan = await storage.executions.listSummaries({ fromMs, toMs, schemaId, maxRows: STATS_MAX_ROWS });
          const computedAt = new Date().toISOString();
          return { stats: computeRunStats(scan.runs, fromMs, toMs), truncated: scan.truncated, computedAt };
        },
      );
      return { jsonBody: toStatsResource(answer, schemaId) };
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
