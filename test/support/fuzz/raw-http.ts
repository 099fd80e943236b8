import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';

/** One request exactly as the fuzzer means it: the path is sent byte for byte, not normalised. */
export interface RawRequest {
  readonly method: string;
  /** Path and query as they go on the request line, e.g. `/api/executions/..%2f..?limit=-1`. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | null;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body was cut off on purpose: an event stream still open after its grace (a live run's). */
  readonly streamed: boolean;
  readonly elapsedMs: number;
}

/**
 * Sends `req` to `baseUrl` over a real socket and reads the whole answer, or rejects when it takes longer
 * than `timeoutMs` (a hang). node:http rather than fetch: fetch resolves `..` and `%2e%2e` in the URL before
 * sending, so a traversal attempt would never reach the server; the Functions host gets raw request lines.
 * An event stream (SSE) is read for `streamGraceMs`, then cut: a live run's streams for minutes by design,
 * a finished one's ends at once, and either says what went wrong in its first events.
 */
export function rawRequest(
  baseUrl: string,
  req: RawRequest,
  timeoutMs: number,
  streamGraceMs = 200,
): Promise<RawResponse> {
  const started = performance.now();
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.target,
        // Node frames a GET's body only when told its length; unframed bytes are a parse error (400)
        headers: req.body ? { ...req.headers, 'content-length': String(req.body.length) } : req.headers,
        // one connection per case: a case that leaves a socket half-read must not disturb the next one
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const done = (body: Buffer, streamed: boolean) =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            streamed,
            elapsedMs: performance.now() - started,
          });
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        if (res.headers['content-type']?.startsWith('text/event-stream')) {
          const cut = setTimeout(() => {
            res.destroy();
            done(Buffer.concat(chunks), true);
          }, streamGraceMs);
          res.on('end', () => {
            clearTimeout(cut);
            done(Buffer.concat(chunks), false);
          });
          return;
        }
        res.on('end', () => done(Buffer.concat(chunks), false));
      },
    );
    outgoing.on('error', (err) =>
      reject(err.name === 'AbortError' ? new Error(`no answer within ${timeoutMs} ms (a hang)`) : err),
    );
    outgoing.end(req.body ?? undefined);
  });
}
