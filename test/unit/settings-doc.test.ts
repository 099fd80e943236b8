import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROCESS_ENVS, settingsRows, settingsTable, withSettingsTable } from '../../scripts/settings-table.js';
import { described } from '../../src/core/setting-values.js';

describe('the README settings table', () => {
  it('is the one generated from the settings schemas (npm run docs:settings rewrites it)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(withSettingsTable(readme), 'run npm run docs:settings').toBe(readme);
  });

  it('describes every variable every process reads', () => {
    const undocumented = Object.entries(PROCESS_ENVS).flatMap(([process, shape]) =>
      Object.entries(shape)
        .filter(([, schema]) => !schema.meta()?.description)
        .map(([name]) => `${process}: ${name}`),
    );
    expect(undocumented).toEqual([]);
  });

  it('shows each default from its schema, and one row per variable unless processes read it differently', () => {
    const shapes = {
      app: {
        A_MS: described(z.coerce.number().default(250), 'a pause'),
        A_NAME: described(z.string(), 'required'),
        SHARED: described(z.string().optional(), 'read alike'),
        DIFFERENT: described(z.string().default('x'), 'read one way'),
      },
      cli: {
        SHARED: described(z.string().optional(), 'read alike'),
        DIFFERENT: described(z.string().default('y'), 'read another way'),
      },
    };
    expect(settingsRows(shapes)).toEqual([
      { name: 'A_MS', processes: ['app'], fallback: '`250`', description: 'a pause' },
      { name: 'A_NAME', processes: ['app'], fallback: '—', description: 'required' },
      { name: 'SHARED', processes: ['app', 'cli'], fallback: 'none', description: 'read alike' },
      { name: 'DIFFERENT', processes: ['app'], fallback: '`x`', description: 'read one way' },
      { name: 'DIFFERENT', processes: ['cli'], fallback: '`y`', description: 'read another way' },
    ]);
    expect(settingsTable(shapes)).toContain('| `SHARED` | app, cli | none | read alike |');
  });
});
