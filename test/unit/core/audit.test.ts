import { describe, expect, it } from 'vitest';
import { AuditEntry, fitAuditEntry } from '../../../src/core/audit.js';

describe('fitAuditEntry', () => {
  const entry: AuditEntry = {
    at: '2026-11-27T10:00:00.000Z',
    action: 'schema.import',
    actorKind: 'deployment',
    actorId: 'CLOUDO_SCHEMAS_JSON',
    from: 'app start',
    target: 't'.repeat(300),
    details: { created: Array.from({ length: 400 }, (_, i) => `runbook-${i}`).join(','), deleted: '' },
  };

  it('cuts long targets and details to what the log keeps, marking the cut, so the entry is recorded', () => {
    const cut = fitAuditEntry(entry);
    expect(cut.target).toHaveLength(256);
    expect(cut.details.created).toHaveLength(1000);
    expect(cut.details.created?.endsWith('...')).toBe(true);
    expect(cut.details.deleted).toBe('');
    expect(AuditEntry.safeParse(cut).success).toBe(true);
    expect(AuditEntry.safeParse(entry).success).toBe(false);
  });
});
