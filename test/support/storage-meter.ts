import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardRequest } from './forward-request.js';

/** One storage request as it went over the wire, named the way the code that sent it thinks of it. */
export interface MeteredCall {
  readonly service: 'table' | 'queue' | 'blob';
  /** e.g. `Executions get`, `cloudo-jobs-<worker> receive`, `execution-logs append block`. */
  readonly operation: string;
  readonly status: number;
  /** Messages a queue receive returned (an empty one is an idle poll, not a run's cost). */
  readonly received?: number;
}

export interface StorageMeter {
  /** The Azurite connection string with all three endpoints going through the meter. */
  readonly connectionString: string;
  /** Calls seen so far, oldest first. */
  readonly calls: readonly MeteredCall[];
  /** Returns the calls seen so far and starts counting afresh. */
  take(): MeteredCall[];
  close(): Promise<void>;
}

const ENDPOINTS = { blob: 'BlobEndpoint', queue: 'QueueEndpoint', table: 'TableEndpoint' } as const;

/**
 * Counts the storage requests a piece of the system makes: three pass-through HTTP hops in front of
 * Azurite's endpoints. The code under test talks to them through its own SDK clients, unchanged, so what
 * is counted is every real request, retries included, and nothing of ours is mocked. `namespace` is cut
 * from resource names so a listing reads `Executions get`, not `t1a2b3c4Executions get`.
 */
export async function startStorageMeter(connectionString: string, namespace: string): Promise<StorageMeter> {
  let calls: MeteredCall[] = [];
  const servers: Server[] = [];
  let rewritten = connectionString;
  for (const [service, key] of Object.entries(ENDPOINTS) as [keyof typeof ENDPOINTS, string][]) {
    const target = new RegExp(`${key}=(http://[^;]+)`).exec(connectionString)?.[1];
    if (!target) throw new Error(`${key} missing from the connection string`);
    const upstream = new URL(target);
    const server = createServer((req, res) =>
      forwardRequest(upstream, req, res, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const blobType = String(req.headers['x-ms-blob-type'] ?? '');
          calls.push(
            describeCall(service, req.method ?? '', req.url ?? '', answer.statusCode ?? 0, body, namespace, blobType),
          );
        });
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    rewritten = rewritten.replace(`${key}=${target}`, `${key}=http://127.0.0.1:${port}${upstream.pathname}`);
  }
  return {
    connectionString: rewritten,
    get calls() {
      return calls;
    },
    take() {
      const taken = calls;
      calls = [];
      return taken;
    },
    async close() {
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
      await Promise.all(servers.map((s) => once(s, 'close')));
    },
  };
}

/** Path-style Azurite URLs: `/<account>/<resource>[/<rest>]?<query>`. */
function describeCall(
  service: MeteredCall['service'],
  method: string,
  url: string,
  status: number,
  body: string,
  namespace: string,
  blobType: string,
): MeteredCall {
  const { pathname, searchParams } = new URL(url, 'http://meter');
  const [, , resource = '', ...rest] = pathname.split('/');
  const name = decodeURIComponent(resource)
    .replace(/\(.*$/, '')
    .replace(new RegExp(`^${namespace}-?`), '');
  const comp = searchParams.get('comp');
  if (service === 'table') {
    const isEntity = resource.includes('(');
    const verb =
      method === 'GET'
        ? isEntity
          ? 'get'
          : 'query'
        : method === 'POST'
          ? name === 'Tables'
            ? 'create table'
            : 'insert'
          : method === 'PUT'
            ? 'replace/upsert'
            : method === 'PATCH' || method === 'MERGE'
              ? 'merge'
              : method.toLowerCase();
    return { service, operation: `${name} ${verb}`, status };
  }
  if (service === 'queue') {
    const onMessages = rest[0] === 'messages';
    const isOne = rest.length > 1;
    if (onMessages && method === 'GET') {
      const received = (body.match(/<QueueMessage>/g) ?? []).length;
      return { service, operation: `${name} receive`, status, received };
    }
    const verb = onMessages
      ? method === 'POST'
        ? 'send'
        : method === 'DELETE'
          ? 'delete message'
          : method === 'PUT' && isOne
            ? 'update message'
            : method.toLowerCase()
      : `${method.toLowerCase()} queue`;
    return { service, operation: `${name} ${verb}`, status };
  }
  const blob = rest.length > 0;
  const verb =
    comp === 'appendblock'
      ? 'append block'
      : method === 'PUT' && blob
        ? `put blob${blobType ? ` (${blobType})` : ''}`
        : method === 'HEAD'
          ? 'properties'
          : method === 'GET' && blob
            ? 'download'
            : `${method.toLowerCase()}${comp ? ` ${comp}` : ''}${blob ? ' blob' : ' container'}`;
  return { service, operation: `${name} ${verb}`, status };
}
