import { readFile } from 'node:fs/promises';
import type { SchemaEntriesResult, SchemaFileProblem, SkippedEntry } from '../core/runbook-schema.js';
import { formatSchemaProblems, parseSchemaEntries } from '../core/runbook-schema.js';
import type { StorageSettings } from '../core/storage-settings.js';
import { auditCli } from './cli-actor.js';
// storage (and the Azure SDKs) load only for commands that talk to storage: validate stays fast

export interface CommandOutput {
  readonly exitCode: number;
  readonly lines: string[];
}

async function readSchemas(file: string): Promise<SchemaEntriesResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const problem = { path: '', message: `cannot read ${file}: ${(err as Error).message}` };
    return { schemas: [], schedules: [], errors: [problem], skipped: [], warnings: [] };
  }
  return parseSchemaEntries(text);
}

/** `N errors:` then one indented `path: message` line each; nothing when there are none. */
function problemBlock(problems: readonly SchemaFileProblem[], noun: 'error' | 'warning'): string[] {
  if (problems.length === 0) return [];
  return [`${plural(problems.length, noun)}:`, ...formatSchemaProblems(problems).map((line) => `  ${line}`)];
}

/** `[0].entity[2] (its-id)`, the way people find an entry again in their file. */
export function formatSkipped(skipped: readonly SkippedEntry[]): string {
  if (skipped.length === 0) return 'see the errors';
  return skipped.map((s) => (s.id === null ? s.path : `${s.path} (${s.id})`)).join(', ');
}

/**
 * `cloudo schemas validate FILE`: exit 0 when every entry would import, 1 otherwise. Errors and warnings
 * are listed apart: errors cost their entry, warnings only say what the original's fields were ignored.
 */
export async function validateSchemas(file: string): Promise<CommandOutput> {
  const result = await readSchemas(file);
  const { schemas, errors, skipped, warnings } = result;
  if (errors.length === 0) {
    const partitions = new Set(schemas.map((s) => s.partitionKey)).size;
    const workers = [...new Set(schemas.map((s) => s.worker))].join(', ');
    return {
      exitCode: 0,
      lines: [
        `${file}: valid, ${plural(schemas.length, 'schema')} in ${plural(partitions, 'partition')} (workers: ${workers})`,
        ...problemBlock(warnings, 'warning'),
      ],
    };
  }
  const summary =
    schemas.length === 0
      ? `${file}: nothing in it can be imported`
      : `${file}: ${plural(schemas.length, 'valid schema')}, ${skippedCount(skipped)} with errors`;
  return {
    exitCode: 1,
    lines: [
      summary,
      ...problemBlock(errors, 'error'),
      ...problemBlock(warnings, 'warning'),
      ...(schemas.length > 0
        ? [`import would skip the ${skippedCount(skipped)} with errors; with --strict it refuses the whole file`]
        : []),
    ],
  };
}

/**
 * `cloudo schemas import FILE [--prune] [--strict]`: idempotent upsert into Table RunbookSchemas, reporting
 * changes. Entries with errors are skipped and the others imported (exit 1, saying which); with `--strict`
 * any error refuses the whole file. While entries are skipped, `--prune` deletes nothing: the registry's
 * rows of the skipped entries are "not in the file" too, and would go.
 */
export async function importSchemas(
  file: string,
  storageSettings: () => Promise<StorageSettings>,
  options: { prune: boolean; strict: boolean },
): Promise<CommandOutput> {
  const { schemas, schedules, errors, skipped, warnings } = await readSchemas(file);
  const problems = [...problemBlock(errors, 'error'), ...problemBlock(warnings, 'warning')];
  if (errors.length > 0 && (options.strict || schemas.length === 0)) {
    const why = options.strict ? '--strict: nothing imported' : 'nothing imported';
    return { exitCode: 1, lines: [...problems, why] };
  }
  const { createStorage, formatScheduleImport, scheduleImportChanges, schemaImportChanges } = await import(
    '../storage/index.js'
  );
  const storage = createStorage(await storageSettings());
  await Promise.all([storage.schemas.ensureTable(), storage.schedules.ensureTable()]);
  const prune = options.prune && errors.length === 0;
  const report = await storage.schemas.importSchemas(schemas, { prune });
  const scheduleReport = await storage.schedules.importFromFile(schedules, { prune });
  const schemaChanges = schemaImportChanges(report);
  const scheduleChanges = scheduleImportChanges(scheduleReport);
  const changes = schemaChanges || scheduleChanges ? { ...schemaChanges, ...scheduleChanges } : null;
  if (changes || errors.length > 0) await storage.audit.ensureTable();
  if (changes) await auditCli(storage, 'schema.import', file, changes);
  if (errors.length > 0) {
    const details = { skipped: formatSkipped(skipped), problems: formatSchemaProblems(errors).join('; ') };
    await auditCli(storage, 'schema.import.rejected', file, details);
  }
  const list = (ids: string[]) => (ids.length > 0 ? `: ${ids.join(', ')}` : '');
  const lines = [
    ...problems,
    `created ${report.created.length}${list(report.created)}`,
    `updated ${report.updated.length}${list(report.updated)}`,
    `unchanged ${report.unchanged.length}`,
  ];
  lines.push(...formatScheduleImport(scheduleReport));
  if (report.notInFile.length > 0) {
    const notInFile = `${report.notInFile.length} not in the file${list(report.notInFile)}`;
    if (report.pruned) lines.push(`deleted ${notInFile}`);
    else if (options.prune) {
      lines.push(
        `kept ${notInFile} (not pruned: ${skippedCount(skipped)} skipped, ` +
          'and pruning would delete what the registry holds for them)',
      );
    } else lines.push(`kept ${notInFile} (--prune deletes them)`);
  }
  if (errors.length === 0) return { exitCode: 0, lines };
  lines.push(
    `imported ${plural(schemas.length, 'schema')}; ${skippedCount(skipped)} skipped: ${formatSkipped(skipped)}`,
  );
  return { exitCode: 1, lines };
}

/** `2 entries`; a partition whose `entity` is no list has entries nobody can count, and says so. */
function skippedCount(skipped: readonly SkippedEntry[]): string {
  return skipped.length > 0 ? plural(skipped.length, 'entry', 'entries') : 'the entries the errors name';
}

function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
