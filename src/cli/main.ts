/**
 * The `cloudo` command.
 *
 *   cloudo schemas validate FILE          check a schemas file; every problem names its JSON path
 *   cloudo schemas import FILE [--prune]  upsert it into the schema registry; reports what changed
 *
 * Storage comes from AzureWebJobsStorage (or its identity-based settings); when unset, from the local
 * stack started by `npm start` (.cloudo/stack.json).
 */
import { parseArgs } from 'node:util';
import { loadStorageSettings, SettingsError } from '../core/settings.js';
import { readLocalStackEnv } from '../local/stack-file.js';
import type { CommandOutput } from './schemas-command.js';
import { importSchemas, validateSchemas } from './schemas-command.js';

const USAGE = `usage:
  cloudo schemas validate FILE
  cloudo schemas import FILE [--prune]`;

async function storageSettings() {
  const env = process.env;
  const configured = env.AzureWebJobsStorage || env.AzureWebJobsStorage__accountName;
  return loadStorageSettings(configured ? env : { ...(await readLocalStackEnv()), ...env });
}

async function run(argv: string[]): Promise<CommandOutput> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { prune: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const [group, command, file, ...extra] = positionals;
  if (values.help) return { exitCode: 0, lines: [USAGE] };
  if (group !== 'schemas' || !file || extra.length > 0) return { exitCode: 2, lines: [USAGE] };
  if (command === 'validate') return validateSchemas(file);
  if (command === 'import') return importSchemas(file, storageSettings, { prune: values.prune });
  return { exitCode: 2, lines: [USAGE] };
}

run(process.argv.slice(2)).then(
  ({ exitCode, lines }) => {
    (exitCode === 0 ? console.log : console.error)(lines.join('\n'));
    process.exitCode = exitCode;
  },
  (err: unknown) => {
    console.error(err instanceof SettingsError || err instanceof TypeError ? `cloudo: ${err.message}` : err);
    process.exitCode = err instanceof TypeError ? 2 : 1;
  },
);
