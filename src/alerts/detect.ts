/**
 * Which format a webhook body is in. Every parser is tried in order, first match wins; bodies that carry
 * the real payload as a JSON string inside an envelope are unwrapped first.
 */
import type { ParseAlertResult } from '../core/alert-context.js';
import { AlertContext } from '../core/alert-context.js';
import { alertmanagerParser, prometheusAlertParser } from './alertmanager.js';
import { azureCommonParser } from './azure-common.js';
import {
  azureActivityLogLegacyParser,
  azureClassicMetricParser,
  azureLogLegacyParser,
  azureMetricLegacyParser,
} from './azure-legacy.js';
import type { FormatParser } from './format-parser.js';
import { field } from './normalize.js';

/**
 * The parsers, most specific first: the Azure formats are told apart by `schemaId` and fixed fields, so
 * they go before the Prometheus ones, whose shapes (`alerts[]`, `labels.alertname`) are looser.
 */
export const ALERT_PARSERS: readonly FormatParser[] = [
  azureCommonParser,
  azureMetricLegacyParser,
  azureLogLegacyParser,
  azureActivityLogLegacyParser,
  azureClassicMetricParser,
  alertmanagerParser,
  prometheusAlertParser,
];

/**
 * Envelope fields that may hold the real payload as a JSON string: Azure Automation's `WebhookData`
 * (`{ WebhookName, RequestBody, RequestHeader }`) and generic relays (Logic Apps, queues, test tools).
 */
const ENVELOPE_FIELDS = ['RequestBody', 'body', 'payload', 'data'];

/** How many envelopes deep a payload is looked for; a double-encoded JSON string counts as one. */
const MAX_UNWRAP_DEPTH = 2;

/**
 * Reads one webhook body: the alerts it carries, or why none were found. `body` is the parsed JSON, or
 * the raw text (then `invalid-json` when it does not parse). Never throws; time is linear in the size of
 * the body (one JSON.parse per envelope level, parsers read fixed paths).
 */
export function parseAlert(body: unknown): ParseAlertResult {
  let value = body;
  if (typeof value === 'string') {
    const parsed = parseJson(value);
    if (!parsed.ok) return { ok: false, reason: 'invalid-json', checked: [] };
    value = parsed.value;
  }
  const checked: string[] = [];
  for (let depth = 0; ; depth++) {
    const alerts = tryParsers(value, checked);
    if (alerts) return { ok: true, alerts };
    if (depth >= MAX_UNWRAP_DEPTH) break;
    const inner = unwrap(value);
    if (inner === undefined) break;
    value = inner;
  }
  return { ok: false, reason: 'unknown-format', checked };
}

function tryParsers(value: unknown, checked: string[]): AlertContext[] | null {
  for (const parser of ALERT_PARSERS) {
    const outcome = runParser(parser, value);
    if (outcome.ok) return outcome.alerts;
    if (!checked.includes(outcome.note)) checked.push(outcome.note);
  }
  return null;
}

/**
 * One parser on one value. A parser that throws, or returns what is not an AlertContext, has a bug: the
 * body is still answered (as not of that format) and the note says so, rather than failing the webhook
 * for every format because one parser broke.
 */
function runParser(
  parser: FormatParser,
  value: unknown,
): { ok: true; alerts: AlertContext[] } | { ok: false; note: string } {
  let alerts: AlertContext[] | null;
  try {
    alerts = parser.parse(value);
  } catch (err) {
    return { ok: false, note: `${parser.describe}: parser error (${errorMessage(err)})` };
  }
  if (alerts === null) return { ok: false, note: parser.describe };
  const checkedAlerts: AlertContext[] = [];
  for (const alert of alerts) {
    const result = AlertContext.safeParse(alert);
    if (!result.success) {
      const issue = result.error.issues[0];
      return {
        ok: false,
        note: `${parser.describe}: parser returned an invalid alert (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`,
      };
    }
    checkedAlerts.push(result.data);
  }
  return { ok: true, alerts: checkedAlerts };
}

/** The payload inside an envelope, when one of its fields is a JSON string; a JSON string itself, parsed. */
function unwrap(value: unknown): unknown {
  if (typeof value === 'string') {
    const parsed = parseJson(value);
    return parsed.ok ? parsed.value : undefined;
  }
  for (const name of ENVELOPE_FIELDS) {
    const inner = field(value, name);
    if (typeof inner !== 'string') continue;
    const parsed = parseJson(inner);
    if (parsed.ok) return parsed.value;
  }
  return undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function errorMessage(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'unprintable error';
  }
}
