import { z } from 'zod';
import type { Connect } from './api-command.js';
import { alignColumns, withClient } from './api-command.js';
import type { CommandOutput } from './schemas-command.js';

/**
 * The fields of the app's schema resource (`toSchemaListItem`) this command prints; the rest is ignored,
 * since the CLI may talk to an older or newer app.
 */
const SchemaItem = z.object({
  id: z.string(),
  name: z.string(),
  worker: z.string(),
  runbook: z.string(),
  team: z.string().nullable().optional(),
  oncall: z.boolean().optional(),
  require_approval: z.boolean().optional(),
});
type SchemaItem = z.infer<typeof SchemaItem>;

const SchemaList = z.object({ schemas: z.array(SchemaItem), continuation: z.string().nullable() });

/** Pages followed at most: 200 schemas each, far more than any installation holds. */
const MAX_PAGES = 50;

export interface SchemaListOptions {
  readonly worker?: string;
  readonly team?: string;
  readonly text?: string;
}

/** `cloudo schemas list [--worker W] [--team T] [--text X]`: every matching schema, one line each. */
export function listSchemas(connect: Connect, options: SchemaListOptions): Promise<CommandOutput> {
  return withClient(connect, async (client) => {
    const schemas: SchemaItem[] = [];
    let continuation: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ limit: '200' });
      for (const [name, value] of Object.entries(options)) if (value !== undefined) query.set(name, value);
      if (continuation) query.set('continuation', continuation);
      const answer = await client.get(`/api/schemas?${query}`, SchemaList);
      if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
      schemas.push(...answer.value.schemas);
      continuation = answer.value.continuation;
      if (!continuation) break;
    }
    if (schemas.length === 0) return { exitCode: 0, lines: ['no schemas match'] };
    const header = ['ID', 'WORKER', 'TEAM', 'FLAGS', 'RUNBOOK', 'NAME'];
    return { exitCode: 0, lines: alignColumns([header, ...schemas.map(schemaRow)]) };
  });
}

function schemaRow(s: SchemaItem): string[] {
  const flags = [s.oncall ? 'oncall' : '', s.require_approval ? 'approval' : ''].filter(Boolean).join(',');
  // names and runbooks are data: a line break or escape in them must not forge table rows or terminal output
  return [s.id, s.worker, s.team ?? '-', flags || '-', printable(s.runbook), printable(s.name)];
}

function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
