import { readFile } from 'node:fs/promises';
import type { RunbookSchema } from '../core/runbook-schema.js';
import { formatSchemaProblems, parseSchemaEntries } from '../core/runbook-schema.js';
import type { ScheduleDeclaration } from '../core/schedule.js';

/**
 * The schemas `npm start` imports: the valid entries of the file, each broken one logged as an ERROR line
 * with its JSON path. Someone trying out a file should see the rest of it working, and which entries did
 * not make it; a file with nothing usable in it stops the stack, naming each problem.
 */
export async function readStackSchemas(
  file: string,
  log: (line: string) => void,
): Promise<{ schemas: RunbookSchema[]; schedules: ScheduleDeclaration[] }> {
  const parsed = parseSchemaEntries(await readFile(file, 'utf8'));
  const problems = formatSchemaProblems(parsed.errors).map((line) => `  ${line}`);
  if (parsed.schemas.length === 0 && problems.length > 0) {
    throw new Error(`${file} is invalid:\n${problems.join('\n')}`);
  }
  if (problems.length > 0) {
    const skipped = parsed.skipped.map((s) => (s.id === null ? s.path : `${s.path} (${s.id})`));
    log(
      `ERROR ${file}: ${skipped.length} ${skipped.length === 1 ? 'entry' : 'entries'} NOT imported (${skipped.join(', ') || 'see below'}):`,
    );
    for (const line of problems) log(`ERROR ${line}`);
  }
  return { schemas: parsed.schemas, schedules: parsed.schedules };
}
