import type { AlertContext } from '../core/alert-context.js';

/**
 * One webhook format. `parse` returns the alerts of a payload of this format, or null when the payload
 * is not of this format (the detector then tries the next one). It never throws on any JSON value.
 */
export interface FormatParser {
  /** Shown in "checked" when nothing matched, e.g. "azure-common (schemaId azureMonitorCommonAlertSchema)". */
  readonly describe: string;
  parse(payload: unknown): AlertContext[] | null;
}
