import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a fake service does to the next request instead of answering normally. */
export type Fault =
  | { kind: 'rate-limit'; retryAfterSeconds: number | null }
  | { kind: 'status'; status: number }
  | { kind: 'hang' };

/** The fault switches every fake service offers, consumed one per request. */
export class FaultSwitch {
  private readonly faults: Fault[] = [];
  private outage: { readonly untilMs: number; readonly status: number } | null = null;

  /** Every request answers `status` for the next `durationMs` (an outage), before any counted fault. */
  failFor(durationMs: number, status = 503): void {
    this.outage = { untilMs: Date.now() + durationMs, status };
  }

  /** The next `count` requests answer 429 (with Retry-After when given). */
  rateLimitNext(count: number, retryAfterSeconds: number | null): void {
    for (let i = 0; i < count; i++) this.faults.push({ kind: 'rate-limit', retryAfterSeconds });
  }

  /** The next `count` requests answer `status`. */
  failNext(count: number, status = 500): void {
    for (let i = 0; i < count; i++) this.faults.push({ kind: 'status', status });
  }

  /** The next `count` requests are read and never answered. */
  hangNext(count: number): void {
    for (let i = 0; i < count; i++) this.faults.push({ kind: 'hang' });
  }

  /** The fault for the request being served, if any. */
  next(): Fault | undefined {
    if (this.outage && Date.now() < this.outage.untilMs) return { kind: 'status', status: this.outage.status };
    return this.faults.shift();
  }
}

/** Retry-After of a rate-limit fault, as headers. */
export function retryAfterHeaders(retryAfterSeconds: number | null): Record<string, string> {
  return retryAfterSeconds === null ? {} : { 'retry-after': String(retryAfterSeconds) };
}

/**
 * Listens on a free loopback port. `close()` also ends hanging requests and keep-alive connections,
 * which would otherwise hold it open.
 */
export async function listenOnLoopback(server: Server): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      const open = [...sockets].map((socket) => once(socket, 'close'));
      for (const socket of sockets) socket.destroy();
      await Promise.all([closed, ...open]);
    },
  };
}
