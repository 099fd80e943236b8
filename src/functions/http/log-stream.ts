import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal } from '../../core/execution.js';
import type { Storage } from '../../storage/index.js';

export interface LogStreamOptions {
  readonly storage: Storage;
  readonly execId: string;
  /** Byte of the log to start from (the page's rendered length, or a reconnect's Last-Event-ID). */
  readonly offset: number;
  /** How often the log and status are read while the run is live (default 250 ms). */
  readonly pollMs?: number;
  /** A stream ends itself after this long (the browser reconnects from its last id); below the Functions timeout. */
  readonly maxDurationMs?: number;
}

/** Bytes at the end of `buffer` that begin a UTF-8 character not yet complete: kept for the next read. */
function incompleteTail(buffer: Buffer): number {
  for (let back = 1; back <= Math.min(3, buffer.length); back++) {
    const byte = buffer[buffer.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

const encoder = new TextEncoder();
const event = (name: string, data: unknown, id?: number) =>
  encoder.encode(`${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);

/**
 * The log of a run as Server-Sent Events: `log` events carry text (JSON strings, each with the byte
 * offset reached as its id), then one `end` event with the final status. Stops when the client goes.
 */
export function logEventStream(options: LogStreamOptions): ReadableStream<Uint8Array> {
  const pollMs = options.pollMs ?? 250;
  const deadline = Date.now() + (options.maxDurationMs ?? 4 * 60_000);
  let offset = options.offset;
  let stopped = false;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode('retry: 1000\n\n'));
      try {
        while (!stopped) {
          // status first, then the log: a run seen finished has all its log stored already
          const row = await options.storage.executions.get(options.execId);
          const finished = row !== null && isTerminal(row.execution.status);
          const bytes = (await options.storage.logs.read(options.execId, offset)) ?? Buffer.alloc(0);
          const complete = bytes.subarray(0, bytes.length - incompleteTail(bytes));
          if (complete.length > 0) {
            offset += complete.length;
            controller.enqueue(event('log', complete.toString('utf8'), offset));
          }
          if (finished || row === null) {
            controller.enqueue(
              event('end', { status: row?.execution.status ?? 'unknown', exit_code: row?.execution.exitCode ?? null }),
            );
            break;
          }
          if (Date.now() > deadline) break;
          await sleep(pollMs);
        }
      } catch (err) {
        controller.enqueue(event('error', { error: (err as Error).message }));
      }
      if (!stopped) controller.close();
    },
    cancel() {
      stopped = true;
    },
  });
}
