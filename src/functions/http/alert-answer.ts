import type { IntakeOutcome } from '../../intake/index.js';
import { executionLinks } from './resources.js';

/** The Trigger answer to an alert payload: one entry per alert and schema, and the single run up front. */
export function alertAnswer(alertCount: number, outcomes: readonly IntakeOutcome[]) {
  const runs = outcomes.map((o) => ({
    exec_id: o.execId,
    schema_id: o.schemaId,
    status: o.kind,
    // an unmatched alert's repeat is deduplicated too: it was counted on the row its first delivery wrote
    deduplicated: o.kind === 'deduplicated' || o.isRepeat === true,
    alert_rule: o.alertRule,
    monitor_condition: o.monitorCondition,
    reason: o.reason,
    links: o.execId ? executionLinks(o.execId) : null,
  }));
  const single = runs.length === 1 ? runs[0] : undefined;
  return {
    status: 'accepted',
    alerts: alertCount,
    ...(single ? { exec_id: single.exec_id, deduplicated: single.deduplicated } : {}),
    runs,
  };
}
