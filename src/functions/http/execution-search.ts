import { z } from 'zod';
import { ExecutionStatus } from '../../core/execution.js';
import { TriggerKind, triggerSourcesOf } from '../../core/execution-search.js';
import { WORKER_NAME_PATTERN } from '../../core/resource-names.js';
import { SchemaId } from '../../core/runbook-schema.js';
import type { ExecutionQuery } from '../../storage/index.js';
import { checkRangeOrder, IsoTimeParam } from './time-range.js';

/** `GET /api/executions`' parameters; every one optional. */
export const ExecutionSearchQuery = z
  .object({
    status: ExecutionStatus.optional(),
    schema: SchemaId.optional(),
    worker: z.string().regex(WORKER_NAME_PATTERN, 'must be 1-30 letters, digits, ".", "_" or "-"').optional(),
    trigger: TriggerKind.optional(),
    /** Requested at or after (ISO time). */
    from: IsoTimeParam.optional(),
    /** Requested at or before (ISO time). */
    to: IsoTimeParam.optional(),
    /** Free text: schema id or name, runbook, alert rule, resource id, execution id; any case. */
    q: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    continuation: z.string().max(4096).optional(),
  })
  .superRefine(checkRangeOrder);
export type ExecutionSearchQuery = z.infer<typeof ExecutionSearchQuery>;

/** Reads the parameters; a bad one throws a ZodError, which answers 400 naming it. */
export function parseExecutionSearch(params: URLSearchParams): ExecutionSearchQuery {
  return ExecutionSearchQuery.parse(Object.fromEntries(params));
}

/** The storage query for the parameters. */
export function toExecutionQuery(query: ExecutionSearchQuery): ExecutionQuery {
  return {
    status: query.status,
    schemaId: query.schema,
    worker: query.worker,
    triggerSources: query.trigger && triggerSourcesOf(query.trigger),
    fromMs: query.from,
    toMs: query.to,
    text: query.q,
    limit: query.limit,
    continuationToken: query.continuation,
  };
}
