import type { RunbookSchema } from './runbook-schema.js';
import { SchemaId } from './runbook-schema.js';

/** What `GET /api/schemas` filters and pages by. */
export interface SchemaQuery {
  readonly partition?: string;
  readonly worker?: string;
  readonly team?: string;
  /** Case-insensitive substring of the id, name, description or runbook. */
  readonly text?: string;
  readonly limit: number;
  /** From a previous page: the schemas after this token's id. */
  readonly continuation?: string;
}

export type SchemaPage =
  | { readonly ok: true; readonly schemas: RunbookSchema[]; readonly continuation: string | null }
  | { readonly ok: false; readonly problem: string };

/**
 * One page of schemas in id order. A continuation token is the last id served (base64url), so a page
 * stays right when schemas are imported between two pages: none is served twice, and one added after the
 * position is served later. Schemas are few (hundreds, a table scan of one small table), so they are
 * filtered here rather than by a table query, which cannot match a substring.
 */
export function pageSchemas(all: readonly RunbookSchema[], query: SchemaQuery): SchemaPage {
  let after: string | null = null;
  if (query.continuation !== undefined) {
    after = Buffer.from(query.continuation, 'base64url').toString('utf8');
    if (!SchemaId.safeParse(after).success || Buffer.from(after).toString('base64url') !== query.continuation) {
      return { ok: false, problem: 'continuation: not a token from a previous page' };
    }
  }
  const text = query.text?.toLowerCase();
  const matching = all
    .filter(
      (s) =>
        (query.partition === undefined || s.partitionKey === query.partition) &&
        (query.worker === undefined || s.worker === query.worker) &&
        (query.team === undefined || s.team === query.team) &&
        (text === undefined || [s.id, s.name, s.description, s.runbook].some((f) => f.toLowerCase().includes(text))) &&
        (after === null || s.id > after),
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const schemas = matching.slice(0, query.limit);
  const last = schemas.at(-1);
  const continuation = matching.length > query.limit && last ? Buffer.from(last.id).toString('base64url') : null;
  return { ok: true, schemas, continuation };
}
