import { describe, expect, it } from 'vitest';
import { matchesText, searchText, TriggerKind, triggerSourcesOf } from '../../../src/core/execution-search.js';

describe('triggerSourcesOf', () => {
  it('counts curl, the CLI and the console as http runs', () => {
    expect(triggerSourcesOf('http')).toEqual(['http', 'cli', 'console']);
    expect(triggerSourcesOf('alert')).toEqual(['alert']);
  });

  it('accepts kinds no run records yet, matching nothing', () => {
    expect(TriggerKind.parse('rerun')).toBe('rerun');
    expect(triggerSourcesOf('rerun')).toEqual(['rerun']);
  });
});

describe('matchesText', () => {
  const run = {
    execId: '0196d3a0-0000-7000-8000-00000000abcd',
    schemaId: 'disk-cleanup',
    schemaName: 'Disk Cleanup',
    runbook: 'scripts/clean.sh',
    alertRule: null,
    resourceId: '/subscriptions/s/resourceGroups/RG/providers/x/vm-1',
    runArgs: '--secret-needle',
  };

  it.each(['disk-clean', 'cleanup', 'clean.sh', 'rg/providers', '0000abcd'])('finds %s', (q) => {
    expect(matchesText(run, searchText(q) ?? '')).toBe(true);
  });

  it('looks only in the searchable fields, and skips ones a run does not have', () => {
    expect(matchesText(run, 'needle')).toBe(false);
    expect(matchesText(run, 'null')).toBe(false);
  });

  it('ignores case and surrounding blanks, and treats blank text as no text', () => {
    expect(searchText('  Disk ')).toBe('disk');
    expect(searchText('   ')).toBeNull();
    expect(searchText(undefined)).toBeNull();
  });
});
