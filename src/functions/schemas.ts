import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { WORKER_NAME_PATTERN } from '../core/resource-names.js';
import { MAX_RUNBOOK_SOURCE_BYTES } from '../core/runbook-catalogue.js';
import { SchemaId, TeamName } from '../core/runbook-schema.js';
import { pageSchemas } from '../core/schema-query.js';
import { stripTerminalControls } from '../core/terminal-text.js';
import type { Storage } from '../storage/index.js';
import { defineHttp } from './definitions.js';
import { HttpError } from './http/errors.js';
import { readRunbookSource } from './http/runbook-source.js';
import { toSchemaListItem, toSchemaResource } from './http/schema-resources.js';
import type { ServicesProvider } from './services.js';

const ListQuery = z.object({
  partition: SchemaId.optional(),
  worker: z.string().regex(WORKER_NAME_PATTERN, 'must be 1-30 letters, digits, ".", "_" or "-"').optional(),
  team: TeamName.optional(),
  text: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  continuation: z.string().max(4096).optional(),
});

/** Parses `{schemaId}` and loads the schema, or answers 400 / 404. */
export async function loadSchema(storage: Storage, request: HttpRequest) {
  const { schemaId } = z.object({ schemaId: SchemaId }).parse(request.params);
  const schema = await storage.schemas.get(schemaId);
  if (!schema) throw new HttpError(404, `no schema with id "${schemaId}"`);
  return schema;
}

/** `GET /api/schemas`: in id order, filtered by partition, worker, team and free text, paged by `continuation`. */
export function listSchemasFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'ListSchemas',
    { route: 'schemas', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => {
      const query = ListQuery.parse(Object.fromEntries(request.query));
      const page = pageSchemas(await storage.schemas.list(), query);
      if (!page.ok) throw new HttpError(400, page.problem);
      return { jsonBody: { schemas: page.schemas.map(toSchemaListItem), continuation: page.continuation } };
    },
  );
}

/** `GET /api/schemas/{schemaId}`: the schema and where its runbook comes from (path, commit, link). */
export function getSchemaFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'GetSchema',
    { route: 'schemas/{schemaId}', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => {
      const schema = await loadSchema(storage, request);
      const catalogue = await storage.runbookSources.readCatalogue(schema.worker);
      return { jsonBody: toSchemaResource(schema, catalogue, MAX_RUNBOOK_SOURCE_BYTES) };
    },
  );
}

const SourceQuery = z.object({ raw: z.enum(['0', '1', 'true', 'false']).optional() });

/**
 * `GET /api/schemas/{schemaId}/runbook`: the runbook's source as the worker serving it last published,
 * up to MAX_RUNBOOK_SOURCE_BYTES (413 past it, with a link to it in Git when there is one). Terminal
 * escapes but colours are removed, as for logs, since people `curl` it into a terminal; `?raw=1` returns
 * the exact bytes.
 */
export function getSchemaRunbookFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'GetSchemaRunbook',
    { route: 'schemas/{schemaId}/runbook', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => {
      const { raw } = SourceQuery.parse(Object.fromEntries(request.query));
      const schema = await loadSchema(storage, request);
      const read = await readRunbookSource(storage, schema);
      if (!read.ok)
        throw new HttpError(read.status, read.link ? `${read.problem}; read it at ${read.link}` : read.problem);
      const isRaw = raw === '1' || raw === 'true';
      return {
        body: isRaw ? read.content : stripTerminalControls(read.content.toString('utf8')),
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          'x-content-type-options': 'nosniff',
          'x-cloudo-version': read.catalogue.version,
        },
      };
    },
  );
}
