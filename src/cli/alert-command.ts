import { readFile } from 'node:fs/promises';
import { parseAlert } from '../alerts/index.js';
import { alertEnv } from '../core/runbook-env.js';
import type { CommandOutput } from './schemas-command.js';
// no storage here: parsing a saved payload needs no credentials and stays fast

/**
 * `cloudo alert parse FILE|-`: what ClouDO reads from an alert payload. Prints
 * `{ "alerts": [AlertContext...], "env": [{ RESOURCE_ID, AKS_NAMESPACE, ... }...] }` (the env a runbook
 * would get, one per alert) and exits 0; exits 2 with the formats it checked when the payload is not
 * recognised, and 2 when the file cannot be read or is not JSON. `-` reads the payload from `readStdin`.
 */
export async function parseAlertPayload(file: string, readStdin: () => Promise<string>): Promise<CommandOutput> {
  const source = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    return { exitCode: 2, lines: [`cannot read ${source}: ${(err as Error).message}`] };
  }
  // editors on Windows save JSON with a byte-order mark, which JSON.parse refuses
  const result = parseAlert(text.startsWith('\uFEFF') ? text.slice(1) : text);
  if (!result.ok) {
    if (result.reason === 'invalid-json') return { exitCode: 2, lines: [`${source}: not valid JSON`] };
    return {
      exitCode: 2,
      lines: [
        `${source}: not a recognised alert payload (${result.reason}); checked:`,
        ...result.checked.map((c) => `  - ${c}`),
      ],
    };
  }
  const output = { alerts: result.alerts, env: result.alerts.map((alert) => alertEnv(alert)) };
  return { exitCode: 0, lines: [JSON.stringify(output, null, 2)] };
}
