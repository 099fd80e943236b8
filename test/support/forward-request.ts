import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';

/**
 * Passes one request through to `upstream` (Azurite) and its answer back unchanged, as the test proxies in
 * front of storage do; `observe` sees the answer first (to read its body alongside, say).
 */
export function forwardRequest(
  upstream: URL,
  req: IncomingMessage,
  res: ServerResponse,
  observe?: (answer: IncomingMessage) => void,
): void {
  const forward = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      observe?.(answer);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forward.on('error', () => res.destroy());
  req.pipe(forward);
}
