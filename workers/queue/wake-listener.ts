import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WakeCheck } from '../../src/core/wake-signature.js';
import { checkWakeToken, WAKE_HEADER, WakeReplayGuard } from '../../src/core/wake-signature.js';

/** Why a nudge was refused: its header's fault, or a nudge seen before. */
export type WakeRefusal = Extract<WakeCheck, { ok: false }>['reason'] | 'replayed';

export interface WakeListenerOptions {
  /** `CLOUDO_WAKE_KEY`: nudges signed with anything else are refused. */
  readonly key: string;
  /** The capability this worker serves: a nudge signed for another is refused. */
  readonly capability: string;
  /** 0: a free one (the local stack's workers). */
  readonly port: number;
  /** Interface to listen on: loopback unless the app reaches the worker from elsewhere. */
  readonly host: string;
  /** What an accepted nudge does: the worker polls now. */
  readonly onWake: () => void;
  /** A refused nudge, with why (counted; the caller decides whether to log it). */
  readonly onRefused?: (reason: WakeRefusal) => void;
  readonly now?: () => number;
}

/** A nudge carries its proof in a header; its body is empty, and anything beyond this is refused unread. */
export const MAX_WAKE_BODY_BYTES = 64;

/**
 * The worker's wake-up door: `POST /wake` with a fresh signed `x-cloudo-wake` header makes it poll now
 * (202); anything else changes nothing (401 unsigned or replayed, 404 elsewhere, 405 another method, 413
 * a body). It gives nothing away: no run, no state, the same short answers to everybody, and it reads at
 * most a few bytes of a request, so it is no way in for runbooks (other users on the same machine) or for
 * the network around a container. Even valid nudges only cut an idle pause short, and coalesce.
 */
export class WakeListener {
  private readonly server: Server;
  private readonly guard = new WakeReplayGuard();
  private closing: Promise<void> | undefined;
  /** Nudges accepted and refused since start: what tests and logs read. */
  readonly counts = { accepted: 0, refused: 0 };

  constructor(private readonly options: WakeListenerOptions) {
    this.server = createServer(
      // small and short: the nudge is one tiny request, and a slow or oversized client must not hold the worker
      { maxHeaderSize: 2048, requestTimeout: 2_000, headersTimeout: 2_000, keepAliveTimeout: 5_000 },
      (req, res) => this.handle(req, res),
    );
    this.server.maxConnections = 64;
  }

  /** Listens; resolves with the port (the one chosen when `port` is 0). */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open connections; the same promise on every call. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url !== '/wake') {
      this.answer(req, res, 404, 'not found');
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      this.answer(req, res, 405, 'method not allowed');
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_WAKE_BODY_BYTES) {
      this.answer(req, res, 413, 'a nudge has no body');
      return;
    }
    let bytes = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_WAKE_BODY_BYTES && !refused) {
        refused = true;
        this.answer(req, res, 413, 'a nudge has no body');
      }
    });
    req.on('end', () => {
      if (!refused) this.decide(req, res);
    });
  }

  private decide(req: IncomingMessage, res: ServerResponse): void {
    const now = this.options.now?.() ?? Date.now();
    const header = req.headers[WAKE_HEADER];
    const check = checkWakeToken(
      this.options.key,
      this.options.capability,
      typeof header === 'string' ? header : undefined,
      now,
    );
    let reason: WakeRefusal | null = check.ok ? null : check.reason;
    if (check.ok && !this.guard.admit(check.nonce, check.at, now)) reason = 'replayed';
    if (reason) {
      this.counts.refused++;
      this.options.onRefused?.(reason);
      this.answer(req, res, 401, 'unauthorized');
      return;
    }
    this.counts.accepted++;
    this.options.onWake();
    this.answer(req, res, 202, 'polling');
  }

  private answer(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
    // a refused request's body is not read: close the connection rather than drain whatever follows
    if (status !== 202) res.setHeader('connection', 'close');
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${text}\n`, () => {
      if (status !== 202 && !req.complete) req.destroy();
    });
  }
}
