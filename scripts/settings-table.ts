/**
 * The README's settings table, generated from the zod shapes each process reads its environment with:
 * a variable's default and description are stated once, in its shape, and shown from there.
 */
import type { z } from 'zod';
import { CliEnv } from '../src/cli/cli-settings.js';
import { OneShotEnv } from '../src/core/one-shot-settings.js';
import type { EnvShape } from '../src/core/setting-values.js';
import { FunctionsEnv } from '../src/core/settings.js';
import { WorkerEnv } from '../src/core/worker-settings.js';
import { LocalEnv } from '../src/local/local-settings.js';

export const PROCESS_ENVS: Readonly<Record<string, EnvShape>> = {
  functions: FunctionsEnv,
  worker: WorkerEnv,
  'one-shot': OneShotEnv,
  cli: CliEnv,
  local: LocalEnv,
};

export const TABLE_START =
  '<!-- settings table: generated from the settings schemas by `npm run docs:settings`; edit them, not this -->';
export const TABLE_END = '<!-- end of settings table -->';

/** What a variable is when unset: its default, "none" when optional, "—" when required. */
export function shownDefault(schema: z.ZodType): string {
  const parsed = schema.safeParse(undefined);
  if (!parsed.success) return '—';
  const value: unknown = parsed.data;
  const empty =
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (value instanceof Map && value.size === 0);
  return empty ? 'none' : `\`${String(value)}\``;
}

const description = (schema: z.ZodType) => String(schema.meta()?.description ?? '');

interface Row {
  readonly name: string;
  readonly processes: string[];
  readonly fallback: string;
  readonly description: string;
}

/** One row per variable, or one per process where processes read it differently. */
export function settingsRows(envs: Readonly<Record<string, EnvShape>> = PROCESS_ENVS): Row[] {
  const rows: Row[] = [];
  for (const [process, shape] of Object.entries(envs)) {
    for (const [name, schema] of Object.entries(shape)) {
      const fallback = shownDefault(schema);
      const same = rows.find(
        (r) => r.name === name && r.fallback === fallback && r.description === description(schema),
      );
      if (same) same.processes.push(process);
      else rows.push({ name, processes: [process], fallback, description: description(schema) });
    }
  }
  return rows;
}

export function settingsTable(envs?: Readonly<Record<string, EnvShape>>): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const lines = ['| setting | read by | default | meaning |', '| --- | --- | --- | --- |'];
  for (const row of settingsRows(envs)) {
    lines.push(`| \`${row.name}\` | ${row.processes.join(', ')} | ${cell(row.fallback)} | ${cell(row.description)} |`);
  }
  return lines.join('\n');
}

/** `readme` with the text between the table's markers replaced by the generated table. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${TABLE_START} ... ${TABLE_END}`);
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${settingsTable()}\n\n${readme.slice(end)}`;
}
