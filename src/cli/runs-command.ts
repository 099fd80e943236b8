import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ExecId } from '../core/execution.js';
import type { ApiClient } from './api-client.js';
import type { Connect } from './api-command.js';
import { alignColumns, withClient } from './api-command.js';
import type { CommandOutput } from './schemas-command.js';
import { readServerEvents } from './sse-reader.js';

/**
 * `cloudo run`, `rerun`, `logs`, `executions`, `cancel`: what a person does with runs, through the HTTP
 * API as themselves. The fields read here are the few the CLI needs; statuses stay strings, since the app
 * may be newer than the CLI.
 */
const Started = z.object({ exec_id: z.string(), status: z.string(), warning: z.string().optional() });
const RunView = z.object({
  exec_id: z.string(),
  status: z.string(),
  schema_id: z.string().nullable(),
  requested_at: z.string(),
  duration_ms: z.number().nullable(),
  exit_code: z.number().nullable(),
  error: z.string().nullable(),
});
type RunView = z.infer<typeof RunView>;
const RunList = z.object({ executions: z.array(RunView), continuation: z.string().nullable().optional() });

/** Where following writes the live log, as it comes. */
export type Write = (text: string) => void;

/** What `--follow` exits with: the run's outcome (0 succeeded, 1 failed, 2 anything else). */
export function outcomeExitCode(status: string): number {
  if (status === 'succeeded') return 0;
  if (status === 'failed') return 1;
  return 2;
}

/** `--param name=value`, repeated; a name without `=` is a mistake, not an empty value. */
export function parseParams(pairs: readonly string[]): { params: Record<string, string> } | { problem: string } {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return { problem: `--param ${pair}: write it as name=value` };
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { params };
}

const usage = (line: string): CommandOutput => ({ exitCode: 2, lines: [line] });

function execIdOf(value: string): string | null {
  return ExecId.safeParse(value).success ? value : null;
}

/** `cloudo run SCHEMA [--param k=v ...] [--follow]`. */
export function startRun(
  connect: Connect,
  options: { schemaId: string; params: readonly string[]; follow: boolean },
  write: Write,
): Promise<CommandOutput> {
  const parsed = parseParams(options.params);
  if ('problem' in parsed) return Promise.resolve(usage(parsed.problem));
  const body = { schema_id: options.schemaId, params: parsed.params, source: 'cli' };
  return withClient(connect, async (client) => {
    const answer = await client.post('/api/executions', body, Started);
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    return started(client, answer.value, options.follow, write);
  });
}

/** `cloudo rerun EXEC_ID [--follow]`. */
export function rerunRun(connect: Connect, options: { execId: string; follow: boolean }, write: Write) {
  const execId = execIdOf(options.execId);
  if (!execId)
    return Promise.resolve(usage(`"${options.execId}" is not an execution id (cloudo executions lists them)`));
  return withClient(connect, async (client) => {
    const answer = await client.post(`/api/executions/${execId}/rerun`, {}, Started);
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    return started(client, answer.value, options.follow, write);
  });
}

async function started(
  client: ApiClient,
  run: z.infer<typeof Started>,
  follow: boolean,
  write: Write,
): Promise<CommandOutput> {
  const lines = [`run ${run.exec_id} ${run.status}`];
  if (run.warning) lines.push(`warning: ${run.warning}`);
  if (run.status === 'pending_approval') lines.push(`waiting for approval: cloudo approve ${run.exec_id}`);
  if (!follow) return { exitCode: 0, lines };
  write(`${lines.join('\n')}\n`);
  return followRun(client, run.exec_id, write);
}

/** `cloudo logs EXEC_ID [--follow]`: the log so far, or the live log until the run ends. */
export function showLog(connect: Connect, options: { execId: string; follow: boolean }, write: Write) {
  const execId = execIdOf(options.execId);
  if (!execId)
    return Promise.resolve(usage(`"${options.execId}" is not an execution id (cloudo executions lists them)`));
  return withClient(connect, async (client) => {
    if (options.follow) return followRun(client, execId, write);
    const answer = await client.getText(`/api/executions/${execId}/log`);
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    write(answer.value);
    return { exitCode: 0, lines: [] };
  });
}

/**
 * Writes the live log until the run ends, then a one-line summary; exits with the outcome. The server
 * ends a stream after a few minutes: it is opened again from the last byte shown, so nothing is repeated.
 */
async function followRun(client: ApiClient, execId: string, write: Write): Promise<CommandOutput> {
  let offset = 0;
  for (;;) {
    const opened = await client.open(
      'GET',
      `/api/executions/${execId}/stream?offset=${offset}`,
      'text/event-stream',
      undefined,
      {
        bodyTimeout: false,
      },
    );
    if (!opened.ok) return { exitCode: 1, lines: [opened.message] };
    const body = opened.value.body;
    if (!body) return { exitCode: 1, lines: ['ClouDO sent no event stream'] };
    let ended = false;
    try {
      for await (const event of readServerEvents(body)) {
        if (event.event === 'log' && typeof event.data === 'string') {
          write(event.data);
          offset = Number(event.id ?? offset);
        } else if (event.event === 'end') {
          ended = true;
          break;
        } else if (event.event === 'error') {
          return { exitCode: 1, lines: [`cannot follow the log: ${JSON.stringify(event.data)}`] };
        }
      }
    } catch {
      // the connection dropped: open it again from where it was
    }
    if (ended) return summary(client, execId);
    await sleep(1000);
  }
}

async function summary(client: ApiClient, execId: string): Promise<CommandOutput> {
  const answer = await client.get(`/api/executions/${execId}`, RunView);
  if (!answer.ok) return { exitCode: 2, lines: [answer.message] };
  const run = answer.value;
  const parts = [`run ${run.exec_id} ${run.status}`];
  if (run.duration_ms !== null) parts.push(`in ${(run.duration_ms / 1000).toFixed(1)} s`);
  if (run.exit_code !== null) parts.push(`(exit ${run.exit_code})`);
  const lines = [parts.join(' ')];
  if (run.error && run.status !== 'succeeded') lines.push(run.error);
  return { exitCode: outcomeExitCode(run.status), lines };
}

/** `cloudo executions [--status S] [--schema ID] [--limit N]`: newest first. */
export function listRuns(
  connect: Connect,
  filters: { status?: string; schema?: string; limit?: string },
): Promise<CommandOutput> {
  const query = new URLSearchParams(
    Object.entries(filters).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return withClient(connect, async (client) => {
    const answer = await client.get(`/api/executions${query.size > 0 ? `?${query}` : ''}`, RunList);
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    const runs = answer.value.executions;
    if (runs.length === 0) return { exitCode: 0, lines: ['no runs'] };
    return { exitCode: 0, lines: alignColumns(runs.map(runRow)) };
  });
}

function runRow(run: RunView): string[] {
  return [
    run.exec_id,
    run.status,
    run.schema_id ?? '(no schema)',
    run.requested_at.replace('T', ' ').slice(0, 19),
    run.duration_ms === null ? '' : `${(run.duration_ms / 1000).toFixed(1)} s`,
  ];
}

/** `cloudo cancel EXEC_ID`. */
export function cancelRun(connect: Connect, options: { execId: string }): Promise<CommandOutput> {
  const execId = execIdOf(options.execId);
  if (!execId)
    return Promise.resolve(usage(`"${options.execId}" is not an execution id (cloudo executions lists them)`));
  return withClient(connect, async (client) => {
    const answer = await client.post(`/api/executions/${execId}/cancel`, {}, z.object({ status: z.string() }));
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    const { status } = answer.value;
    // a running run ends once its worker has killed its processes
    return { exitCode: 0, lines: [status === 'running' ? `run ${execId} cancelling` : `run ${execId} ${status}`] };
  });
}
