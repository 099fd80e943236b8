import { readFile } from 'node:fs/promises';
import type { ParseSchemasResult, SchemaFileProblem } from '../core/runbook-schema.js';
import { formatSchemaProblems, parseSchemasFile } from '../core/runbook-schema.js';
import type { StorageSettings } from '../core/storage-settings.js';
import { auditCli } from './cli-actor.js';
// storage (and the Azure SDKs) load only for commands that talk to storage: validate stays fast

export interface CommandOutput {
  readonly exitCode: number;
  readonly lines: string[];
}

async function readSchemas(file: string): Promise<ParseSchemasResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ path: '', message: `cannot read ${file}: ${(err as Error).message}` }] };
  }
  return parseSchemasFile(text);
}

function problemLines(file: string, result: Extract<ParseSchemasResult, { ok: false }>): string[] {
  return [
    `${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`,
    ...formatSchemaProblems(result.problems).map((line) => `  ${line}`),
  ];
}

/** `cloudo schemas validate FILE`: exit 0 when the file would import, 1 with every problem otherwise. */
export async function validateSchemas(file: string): Promise<CommandOutput> {
  const result = await readSchemas(file);
  if (!result.ok) return { exitCode: 1, lines: problemLines(file, result) };
  const partitions = new Set(result.schemas.map((s) => s.partitionKey)).size;
  const workers = [...new Set(result.schemas.map((s) => s.worker))].join(', ');
  return {
    exitCode: 0,
    lines: [
      `${file}: valid, ${plural(result.schemas.length, 'schema')} in ${plural(partitions, 'partition')} (workers: ${workers})`,
      ...warningLines(result.warnings),
    ],
  };
}

/** What was accepted but ignored, apart from the errors: nothing to fix, only to know. */
function warningLines(warnings: readonly SchemaFileProblem[]): string[] {
  if (warnings.length === 0) return [];
  return [`${plural(warnings.length, 'warning')}:`, ...formatSchemaProblems(warnings).map((line) => `  ${line}`)];
}

/** `cloudo schemas import FILE [--prune]`: idempotent upsert into Table RunbookSchemas, reporting changes. */
export async function importSchemas(
  file: string,
  storageSettings: () => Promise<StorageSettings>,
  options: { prune: boolean },
): Promise<CommandOutput> {
  const result = await readSchemas(file);
  if (!result.ok) return { exitCode: 1, lines: [...problemLines(file, result), 'nothing imported'] };
  const { createStorage, schemaImportChanges } = await import('../storage/index.js');
  const storage = createStorage(await storageSettings());
  await storage.schemas.ensureTable();
  const report = await storage.schemas.importSchemas(result.schemas, { prune: options.prune });
  const changes = schemaImportChanges(report);
  if (changes) {
    await storage.audit.ensureTable();
    await auditCli(storage, 'schema.import', file, changes);
  }
  const list = (ids: string[]) => (ids.length > 0 ? `: ${ids.join(', ')}` : '');
  const lines = [
    ...warningLines(result.warnings),
    `created ${report.created.length}${list(report.created)}`,
    `updated ${report.updated.length}${list(report.updated)}`,
    `unchanged ${report.unchanged.length}`,
  ];
  if (report.notInFile.length > 0) {
    lines.push(
      report.pruned
        ? `deleted ${report.notInFile.length} not in the file${list(report.notInFile)}`
        : `kept ${report.notInFile.length} not in the file${list(report.notInFile)} (--prune deletes them)`,
    );
  }
  return { exitCode: 0, lines };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
