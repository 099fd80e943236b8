import type { CatalogueFile, RunbookCatalogue } from '../../core/runbook-catalogue.js';
import { catalogueFileOf, repositoryPathOf, runbookLinkOf } from '../../core/runbook-catalogue.js';
import type { RunbookSchema } from '../../core/runbook-schema.js';
import { resourcesResource, snakeCase } from './resources.js';

/** Links a client can follow from a schema. */
export function schemaLinks(id: string) {
  const encoded = encodeURIComponent(id);
  return {
    schema: `/api/schemas/${encoded}`,
    runbook: `/api/schemas/${encoded}/runbook`,
    executions: `/api/executions?schema=${encoded}`,
    trigger: `/api/Trigger?id=${encoded}`,
  };
}

/**
 * A schema as the API shows it: every field of the contract in snake_case (the schemas file's own names),
 * so a field added to RunbookSchema shows without a line here, plus its links.
 */
export function toSchemaListItem(schema: RunbookSchema): Record<string, unknown> {
  return {
    ...Object.fromEntries(Object.entries(schema).map(([name, value]) => [snakeCase(name), value])),
    resources: resourcesResource(schema.resources),
    links: schemaLinks(schema.id),
  };
}

/** Why the source of a runbook cannot be shown, or null when `GET …/runbook` serves it. */
export function sourceProblem(
  schema: RunbookSchema,
  catalogue: RunbookCatalogue | null,
  file: CatalogueFile | null,
  maxBytes: number,
): string | null {
  if (!catalogue) return `no worker serving "${schema.worker}" has published its runbooks yet`;
  if (!file) {
    const where = catalogue.commit ? `at commit ${catalogue.commit}` : 'in its runbook folder';
    const cut = catalogue.truncated ? ' (its list of runbooks was cut short: too many files)' : '';
    return `worker "${schema.worker}" has no runbook "${schema.runbook}" ${where}${cut}`;
  }
  if (file.size > maxBytes) return `the runbook is ${file.size} bytes, more than the ${maxBytes} the API serves`;
  if (!file.stored) return 'the runbook was not published: its worker had published its limit of source already';
  return null;
}

/**
 * One schema with where its runbook comes from, as the worker serving it last published: the path, the
 * commit and a link to the file at that commit when runbooks come from Git, and whether its source can be read.
 */
export function toSchemaResource(
  schema: RunbookSchema,
  catalogue: RunbookCatalogue | null,
  maxBytes: number,
): Record<string, unknown> {
  const file = catalogue && catalogueFileOf(catalogue, schema.runbook);
  const problem = sourceProblem(schema, catalogue, file, maxBytes);
  return {
    ...toSchemaListItem(schema),
    runbook_source: {
      path: schema.runbook,
      kind: catalogue?.kind ?? null,
      repository_path: catalogue?.kind === 'github' ? repositoryPathOf(catalogue, schema.runbook) : null,
      repo: catalogue?.repo ?? null,
      branch: catalogue?.branch ?? null,
      commit: catalogue?.commit ?? null,
      url: file && catalogue ? runbookLinkOf(catalogue, schema.runbook) : null,
      size: file?.size ?? null,
      sha256: file?.sha256 ?? null,
      published_at: catalogue?.publishedAt ?? null,
      available: problem === null,
      problem,
    },
  };
}
