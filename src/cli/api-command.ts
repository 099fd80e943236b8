import type { ApiClient, ApiConnection } from './api-client.js';
import type { CommandOutput } from './schemas-command.js';

/** Opens the connection to the API a command asked for (`connectApi` with its flags and environment). */
export type Connect = () => Promise<ApiConnection>;

/** Runs `use` with a client, or prints why there is none (exit 2: nothing was sent). */
export async function withClient(
  connect: Connect,
  use: (client: ApiClient) => Promise<CommandOutput>,
): Promise<CommandOutput> {
  const connection = await connect();
  return connection.ok ? use(connection.client) : { exitCode: 2, lines: [connection.problem] };
}

/** Pads every column but the last to its widest cell, two spaces apart. */
export function alignColumns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  '));
}
