import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportRules } from '../support/import-rules.js';
import { checkImports, importSpecifiers } from '../support/import-rules.js';

/**
 * The layout of README.md "Layout" as a table: each folder, the folders it may import and why. Dependencies
 * point inward: entrypoints (functions, workers, cli, local) → services (intake, oncall, approvals,
 * retention, auth, and runs, which intake and approvals build on) → adapters (storage, notify, ui, alerts)
 * → core. An edge the code stops using must leave the table (the test says which).
 */
const RULES: ImportRules = {
  layers: {
    // croner: schedules' cron expressions are checked when a schemas file is read, and their ticks computed, purely
    core: { path: 'src/core', mayImport: {}, packages: ['zod', 'uuid', 'node:crypto', 'croner'] },
    alerts: { path: 'src/alerts', mayImport: { core: 'parsers return the AlertContext contract' }, packages: [] },
    storage: { path: 'src/storage', mayImport: { core: 'stores the contracts core defines' } },
    notify: { path: 'src/notify', mayImport: { core: 'implements the Notifier contract' } },
    ui: { path: 'src/ui', mayImport: { core: 'renders Executions, escapes terminal text' } },
    auth: {
      path: 'src/auth',
      mayImport: { core: 'access roles and token formats', storage: 'API tokens are checked against the token table' },
    },
    runs: {
      path: 'src/runs',
      mayImport: {
        core: 'the run lifecycle decides cancel, abandon, re-queue and dispatch failure',
        storage: 'one conditional write per decision, queues the jobs',
        containers: 'the sweep of isolated runs’ orphaned container groups',
      },
    },
    intake: {
      path: 'src/intake',
      mayImport: {
        core: 'run plans and dedupe keys',
        storage: 'records runs and alert deliveries',
        runs: 'an accepted alert is dispatched like any run',
      },
    },
    oncall: {
      path: 'src/oncall',
      mayImport: { core: 'routing and the Notifier contract', storage: 'the notification ledger sends once' },
    },
    approvals: {
      path: 'src/approvals',
      mayImport: {
        core: 'approval policy',
        storage: 'one conditional write each',
        runs: 'an approved run is released to its queue',
      },
    },
    retention: { path: 'src/retention', mayImport: { core: 'retention policy', storage: 'purges runs and logs' } },
    signing: { path: 'src/signing', mayImport: { core: 'the run token contract, discovery document and JWKS' } },
    containers: {
      path: 'src/containers',
      mayImport: {
        core: 'where isolated runs get their container groups (settings)',
        storage: 'the managed identity storage is reached with reaches ARM too',
      },
    },
    functions: {
      path: 'src/functions',
      mayImport: {
        core: 'contracts and settings',
        alerts: 'Trigger parses webhook bodies',
        storage: 'createAppServices wires the repositories',
        notify: 'createAppServices wires the notifiers; Slack interactions',
        ui: 'serves the console pages',
        auth: 'every HTTP function authenticates its caller',
        intake: 'Trigger turns alerts into runs',
        oncall: 'the results function pages on-call',
        approvals: 'approval decisions and their expiry',
        retention: 'Housekeeping applies retention',
        runs: 'Trigger dispatches, CancelExecution cancels, Housekeeping sweeps stuck runs',
        signing: 'the OIDC routes serve the issuer’s discovery document and keys',
        containers: 'Housekeeping deletes isolated runs’ orphaned container groups',
      },
    },
    workers: {
      path: 'workers',
      mayImport: {
        core: 'JobMessage, settings, runbook env',
        storage: 'claims runs, streams logs, reports results',
        containers: 'isolated runs get container groups of their own',
      },
    },
    local: {
      path: 'src/local',
      mayImport: {
        core: 'settings, the Poller the workers poll with, and keys compared in constant time',
        storage: 'creates the queues and tables of the local stack',
        functions: 'the local host serves the same function definitions as Azure',
      },
    },
    cli: {
      path: 'src/cli',
      mayImport: {
        core: 'contracts and settings',
        alerts: '`cloudo alert` previews how a payload parses',
        storage: '`cloudo schemas import` and `cloudo tokens` write the tables',
        local: 'finds the running local stack through its stack file',
      },
    },
    entry: { path: 'src/index.ts', mayImport: { functions: 'registers the function definitions with Azure' } },
  },
  packageOwners: {
    '@azure/data-tables': ['storage'],
    '@azure/storage-queue': ['storage'],
    '@azure/storage-blob': ['storage'],
    '@azure/identity': ['storage'],
    '@azure/arm-containerinstance': ['containers'],
    '@azure/functions': ['functions', 'local', 'auth'],
    '@azure/keyvault-keys': ['signing'],
  },
};

const ROOT = path.resolve(import.meta.dirname, '../..');

function sourceTree(...dirs: string[]): Map<string, string> {
  const files = dirs.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/')),
  );
  return new Map(files.map((file) => [file, readFileSync(path.join(ROOT, file), 'utf8')]));
}

describe('architecture', () => {
  const found = checkImports(RULES, sourceTree('src', 'workers'));

  it('puts every file in a layer of the table', () => expect(found.unknownLayer).toEqual([]));
  it('has only the arrows the table allows', () => expect(found.outward).toEqual([]));
  it('allows only arrows the code uses', () => expect(found.unusedEdges).toEqual([]));
  it('reaches a folder with an index.ts only through it', () => expect(found.deep).toEqual([]));
  it('keeps core and alerts on their package list, and each SDK in its owner', () =>
    expect(found.packages).toEqual([]));
  it('has no import cycles', () => expect(found.cycles).toEqual([]));
  it('every relative import points at a file that exists', () => expect(found.missing).toEqual([]));

  // workers/ is one layer split into subsystems; an index.ts is what makes the deep-import rule hold between them
  it('gives each subsystem of workers/ an index.ts', () => {
    // a folder without TypeScript (workers/bin: tools installed for runbooks) is not a subsystem
    const subsystems = readdirSync(path.join(ROOT, 'workers'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .filter((e) => readdirSync(path.join(ROOT, 'workers', e.name)).some((f) => f.endsWith('.ts')))
      .map((e) => `workers/${e.name}`);
    expect(subsystems.length).toBeGreaterThan(0);
    expect(subsystems.filter((dir) => !existsSync(path.join(ROOT, dir, 'index.ts')))).toEqual([]);
  });

  it('lists the same folders as the README layout and the disk', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const layout = readme.slice(readme.indexOf('### Layout'), readme.indexOf('## Writing a runbook'));
    const documented = [...layout.matchAll(/^((?:src\/)?\w+)\/ /gm)]
      .map((m) => m[1] ?? '')
      .filter((p) => p.startsWith('src/') || p === 'workers');
    const onDisk = readdirSync(path.join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `src/${e.name}`)
      .concat('workers');
    const inTable = Object.values(RULES.layers)
      .map((rule) => rule.path)
      .filter((p) => p !== 'src/index.ts');
    expect(documented.sort()).toEqual(inTable.sort());
    expect(onDisk.sort()).toEqual(inTable.sort());
  });

  it('catches a forbidden edge, a side-effect import, a deep import and a stray package', () => {
    const bad = checkImports(
      RULES,
      new Map([
        ['src/core/a.ts', "import { b } from './b.js';\nimport '../storage/job-queue.js';\n"],
        [
          'src/core/b.ts',
          "import { z } from 'zod';\nimport { TableClient } from '@azure/data-tables';\nexport const b = 1;",
        ],
        ['src/alerts/c.ts', "import type { X } from '../storage/index.js';\nimport { readFile } from 'node:fs';"],
        ['src/intake/d.ts', "export { q } from '../storage/job-queue.js';\nconst m = await import('./e.js');"],
        ['src/intake/e.ts', "import './d.js';"],
        ['src/storage/index.ts', "export { q } from './job-queue.js';"],
        ['src/storage/job-queue.ts', 'export const q = 1;'],
      ]),
    );
    expect(bad.outward).toEqual([
      'src/core/a.ts -> src/storage/job-queue.ts (core -> storage)',
      'src/alerts/c.ts -> src/storage/index.ts (alerts -> storage)',
    ]);
    expect(bad.deep).toEqual([
      'src/core/a.ts -> src/storage/job-queue.ts (use src/storage/index.ts)',
      'src/intake/d.ts -> src/storage/job-queue.ts (use src/storage/index.ts)',
    ]);
    expect(bad.packages).toEqual(['src/core/b.ts imports @azure/data-tables', 'src/alerts/c.ts imports node:fs']);
    expect(bad.cycles).toEqual(['src/intake/d.ts -> src/intake/e.ts -> src/intake/d.ts']);
    expect(bad.unusedEdges).toContain('workers -> storage');
  });

  it('reads side-effect, dynamic, re-export and multi-line imports, not comments', () => {
    const source = [
      "import './polyfill.js';",
      "import {\n  a,\n  b,\n} from './ab.js';",
      "export type { T } from './t.js';",
      "const lazy = await import('./lazy.js');",
      "// import { gone } from './comment.js';",
      "/** see `import x from './doc.js'` */",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./polyfill.js', './ab.js', './t.js', './lazy.js']);
  });
});
