import { readFile, writeFile } from 'node:fs/promises';
import type { OriginalRecord } from '../core/original-migration.js';
import { fromTableRows, migrateOriginalRecords, readOriginalExport } from '../core/original-migration.js';
import type { CommandOutput } from './schemas-command.js';

/** The original ClouDO's schemas table (its iac: `azurerm_storage_table.runbook_schemas`). */
export const ORIGINAL_SCHEMAS_TABLE = 'RunbookSchemas';

export interface MigrateOptions {
  /** Table to read when the source is a connection string. */
  readonly table: string;
  /** File to write; stdout when absent. */
  readonly output: string | undefined;
}

export interface MigrateIo {
  /** Where the schemas file goes when no `-o` names a file. */
  readonly stdout: (text: string) => void;
  /** Where the account of what changed goes, so that stdout stays a file to redirect. */
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
}

/** An Azure Storage connection string, as opposed to a file name: the settings its kind of string starts with. */
export function isConnectionString(source: string): boolean {
  return (
    /^\s*UseDevelopmentStorage=true/i.test(source) || /(^|;)\s*(DefaultEndpointsProtocol|TableEndpoint)=/i.test(source)
  );
}

/**
 * `cloudo migrate FILE_OR_CONNECTION [--table T] [-o FILE]`: the original ClouDO's schemas as a schemas file
 * for this one. Exit 0 when every schema made it; 1 when some could not (the file holds the others) or
 * nothing could be read. The connection string is never echoed: it holds the account key.
 */
export async function migrateSchemas(source: string, options: MigrateOptions, io: MigrateIo): Promise<CommandOutput> {
  const read = await readRecords(source, options.table, io);
  if (!read.ok) return { exitCode: 1, lines: [`cloudo migrate: ${read.error}`, 'nothing written'] };
  if (read.records.length === 0) return { exitCode: 1, lines: [`no schemas in ${read.label}`, 'nothing written'] };
  const { file, notes, skipped } = migrateOriginalRecords(read.records);
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (options.output) await writeFile(options.output, text);
  else io.stdout(text);
  const lines: string[] = [];
  if (notes.length > 0) {
    lines.push(`${notes.length} change${notes.length === 1 ? '' : 's'}:`);
    for (const n of notes) lines.push(`  ${n.source} ${n.field}: ${n.note}`);
  }
  const migrated = file.reduce((sum, partition) => sum + partition.entity.length, 0);
  const workers = [...new Set(file.flatMap((p) => p.entity.map((e) => String(e.worker))))].join(', ') || 'none';
  const into = options.output ?? 'stdout';
  lines.push(
    `migrated ${migrated} of ${read.records.length} schemas from ${read.label} to ${into} (workers: ${workers})`,
  );
  if (skipped.length > 0) {
    lines.push(
      `${skipped.length} left out of the file (fix the source and migrate again, or add them to the file by hand):`,
    );
    for (const s of skipped) lines.push(`  ${s.source}: ${s.problems.join('; ')}`);
  }
  io.stderr(`${lines.join('\n')}\n`);
  return { exitCode: skipped.length > 0 ? 1 : 0, lines: [] };
}

type RecordsRead =
  | { readonly ok: true; readonly label: string; readonly records: OriginalRecord[] }
  | { readonly ok: false; readonly error: string };

async function readRecords(source: string, table: string, io: MigrateIo): Promise<RecordsRead> {
  if (isConnectionString(source)) {
    // the Azure SDKs load only when a table is read
    const { readForeignTable } = await import('../storage/index.js');
    const rows = await readForeignTable(source, table);
    if (!rows.ok) return rows;
    return { ok: true, label: `table ${table}`, records: fromTableRows(rows.rows) };
  }
  let text: string;
  try {
    text = source === '-' ? await io.readStdin() : await readFile(source, 'utf8');
  } catch (err) {
    return { ok: false, error: `cannot read ${source}: ${(err as Error).message}` };
  }
  const parsed = readOriginalExport(text);
  if (!parsed.ok) return { ok: false, error: `${source}: ${parsed.error}` };
  return { ok: true, label: source === '-' ? 'stdin' : source, records: parsed.records };
}
