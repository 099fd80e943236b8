import type { RunbookCatalogue } from '../../core/runbook-catalogue.js';
import { catalogueFileOf, MAX_RUNBOOK_SOURCE_BYTES, runbookLinkOf } from '../../core/runbook-catalogue.js';
import type { RunbookSchema } from '../../core/runbook-schema.js';
import type { Storage } from '../../storage/index.js';
import { sourceProblem } from './schema-resources.js';

/** A schema's runbook source as its worker last published it, or why it cannot be read. */
export type RunbookSourceResult =
  | { readonly ok: true; readonly catalogue: RunbookCatalogue; readonly content: Buffer }
  | {
      readonly ok: false;
      readonly catalogue: RunbookCatalogue | null;
      /** 413 for a file over MAX_RUNBOOK_SOURCE_BYTES, else 404. */
      readonly status: 404 | 413;
      readonly problem: string;
      /** The file at its commit on the Git host, when runbooks come from Git and the catalogue lists it. */
      readonly link: string | null;
    };

/**
 * Reads a schema's runbook through the catalogue of its worker (only a listed path becomes a blob name),
 * up to MAX_RUNBOOK_SOURCE_BYTES. The API's `…/runbook` and the console's runbook page both read here.
 */
export async function readRunbookSource(storage: Storage, schema: RunbookSchema): Promise<RunbookSourceResult> {
  const sources = storage.runbookSources;
  let catalogue = await sources.readCatalogue(schema.worker);
  let read = catalogue && (await sources.readSource(catalogue, schema.runbook, MAX_RUNBOOK_SOURCE_BYTES));
  if (read && !read.ok && read.reason === 'missing') {
    // a newer publication pruned the version read a moment ago: its successor holds the file
    catalogue = await sources.readCatalogue(schema.worker);
    read = catalogue && (await sources.readSource(catalogue, schema.runbook, MAX_RUNBOOK_SOURCE_BYTES));
  }
  if (catalogue && read?.ok) return { ok: true, catalogue, content: read.content };
  const file = catalogue && catalogueFileOf(catalogue, schema.runbook);
  const problem =
    sourceProblem(schema, catalogue, file, MAX_RUNBOOK_SOURCE_BYTES) ??
    `the source of runbook "${schema.runbook}" is not stored (any more); try again`;
  const link = catalogue && file ? runbookLinkOf(catalogue, schema.runbook) : null;
  const tooLarge = read && !read.ok && read.reason === 'too-large';
  return { ok: false, catalogue, status: tooLarge ? 413 : 404, problem, link };
}
