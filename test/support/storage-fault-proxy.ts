import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardRequest } from './forward-request.js';

/**
 * What the proxy does with one request: pass it on (after a delay), answer it with this status itself, or
 * drop the connection (`reset`: storage down or unreachable).
 */
export type FaultRule = (req: IncomingMessage) => number | 'pass' | 'reset' | { readonly delayMs: number };

export interface StorageFaultProxy {
  /** `connectionString` with `endpoint` (e.g. QueueEndpoint) going through the proxy. */
  readonly connectionString: string;
  /** Replaces the rule; the default passes everything. */
  rule: FaultRule;
  close(): Promise<void>;
}

/**
 * A real HTTP hop in front of one Azurite service that fails the requests a rule picks, as a storage
 * outage or a throttled queue would: the code under test talks to it through the SDK, unchanged.
 */
export async function startStorageFaultProxy(
  connectionString: string,
  endpoint: 'QueueEndpoint' | 'TableEndpoint' | 'BlobEndpoint',
): Promise<StorageFaultProxy> {
  const target = new RegExp(`${endpoint}=(http://[^;]+)`).exec(connectionString)?.[1];
  if (!target) throw new Error(`${endpoint} missing from the connection string`);
  const upstream = new URL(target);
  const proxy: StorageFaultProxy = {
    connectionString: '',
    rule: () => 'pass',
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const server = createServer((req, res) => {
    const verdict = proxy.rule(req);
    if (verdict === 'reset') {
      req.socket.destroy();
      return;
    }
    if (typeof verdict === 'number') {
      req.resume();
      res
        .writeHead(verdict, { 'content-type': 'application/xml' })
        .end(
          `<?xml version="1.0" encoding="utf-8"?><Error><Code>InjectedFault</Code><Message>fault injected by the test</Message></Error>`,
        );
      return;
    }
    const delayMs = typeof verdict === 'object' ? verdict.delayMs : 0;
    // unref: a request held back must not keep a finished test process alive
    setTimeout(() => pass(req, res), delayMs).unref();
  });
  const pass = (req: IncomingMessage, res: ServerResponse) => forwardRequest(upstream, req, res);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const proxied = `http://127.0.0.1:${port}${upstream.pathname}`;
  return Object.assign(proxy, {
    connectionString: connectionString.replace(`${endpoint}=${target}`, `${endpoint}=${proxied}`),
  });
}
