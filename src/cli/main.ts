/**
 * The `cloudo` command.
 *
 *   cloudo schemas validate FILE          check a schemas file; every problem names its JSON path
 *   cloudo schemas import FILE [--prune]  upsert it into the schema registry; reports what changed
 *   cloudo tokens create --role R --owner O [--expires-days N] [--description D]
 *   cloudo tokens list
 *   cloudo tokens revoke ID
 *   cloudo alert parse FILE|-              what ClouDO reads from an alert payload (- reads stdin)
 *
 * Storage comes from AzureWebJobsStorage (or its identity-based settings); when unset, from the local
 * stack started by `npm start` (.cloudo/stack.json). Whoever holds those credentials is an admin.
 */
import { parseArgs } from 'node:util';
import { loadStorageSettings, SettingsError } from '../core/settings.js';
import { readLocalStackEnv } from '../local/stack-file.js';
import { parseAlertPayload } from './alert-command.js';
import type { CommandOutput } from './schemas-command.js';
import { importSchemas, validateSchemas } from './schemas-command.js';
import { createToken, listTokens, revokeToken } from './tokens-command.js';

const USAGE = `usage:
  cloudo schemas validate FILE
  cloudo schemas import FILE [--prune]
  cloudo tokens create --role viewer|operator|admin --owner NAME [--expires-days N] [--description TEXT]
  cloudo tokens list
  cloudo tokens revoke ID
  cloudo alert parse FILE|-`;

async function storageSettings() {
  const env = process.env;
  const configured = env.AzureWebJobsStorage || env.AzureWebJobsStorage__accountName;
  return loadStorageSettings(configured ? env : { ...(await readLocalStackEnv()), ...env });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

async function run(argv: string[]): Promise<CommandOutput> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      prune: { type: 'boolean', default: false },
      role: { type: 'string' },
      owner: { type: 'string' },
      'expires-days': { type: 'string' },
      description: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, command, arg, ...extra] = positionals;
  const usage = { exitCode: 2, lines: [USAGE] };
  if (values.help) return { exitCode: 0, lines: [USAGE] };
  if (extra.length > 0) return usage;
  if (group === 'schemas' && arg) {
    if (command === 'validate') return validateSchemas(arg);
    if (command === 'import') return importSchemas(arg, storageSettings, { prune: values.prune });
  }
  if (group === 'alert' && command === 'parse' && arg) return parseAlertPayload(arg, readStdin);
  if (group === 'tokens') {
    if (command === 'create' && !arg) {
      return createToken(storageSettings, {
        role: values.role,
        owner: values.owner,
        expiresDays: values['expires-days'],
        description: values.description,
      });
    }
    if (command === 'list' && !arg) return listTokens(storageSettings);
    if (command === 'revoke' && arg) return revokeToken(storageSettings, arg);
  }
  return usage;
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
