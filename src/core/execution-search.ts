import { z } from 'zod';
import type { TriggerSource } from './execution.js';

/**
 * How a run was started, as people search for it. Several recorded sources are one kind: a run asked for
 * over HTTP by curl, the CLI or the console is an `http` run. `schedule` is accepted before any run has
 * it (a saved search keeps working when schedules arrive).
 */
export const TriggerKind = z.enum(['http', 'alert', 'schedule', 'rerun']);
export type TriggerKind = z.infer<typeof TriggerKind>;

const SOURCES_OF_KIND: Readonly<Record<TriggerKind, readonly TriggerSource[]>> = {
  http: ['http', 'cli', 'console'],
  alert: ['alert'],
  schedule: ['schedule'],
  rerun: ['rerun'],
};

/** The recorded trigger sources a kind stands for; empty when no run can be of that kind. */
export function triggerSourcesOf(kind: TriggerKind): readonly TriggerSource[] {
  return SOURCES_OF_KIND[kind];
}

/** The fields free text is looked for in: what a person remembers of a run. */
const TEXT_FIELDS = ['schemaId', 'schemaName', 'runbook', 'alertRule', 'resourceId', 'execId'] as const;

/** An Execution, or a table row before it is parsed (only matches are): the same field names. */
export type SearchableRun = Readonly<Record<string, unknown>>;

/**
 * Whether `text` occurs, ignoring case, in the run's schema id or name, runbook, alert rule, resource id
 * or execution id. `text` is expected lower-cased already (see `searchText`), since this runs per row.
 */
export function matchesText(run: SearchableRun, text: string): boolean {
  return TEXT_FIELDS.some((field) => {
    const value = run[field];
    return typeof value === 'string' && value.toLowerCase().includes(text);
  });
}

/** The form `matchesText` compares: trimmed and lower-cased; null when nothing is left to look for. */
export function searchText(q: string | undefined): string | null {
  const text = q?.trim().toLowerCase() ?? '';
  return text === '' ? null : text;
}
