import type { LogFollower } from './log-poller.js';

export interface LogEventStreamOptions {
  /** Byte of the log to start from (the page's rendered length, or a reconnect's Last-Event-ID). */
  readonly offset: number;
  /** The stream ends itself after this long (ms); the browser reconnects from its last id. */
  readonly maxDurationMs: number;
  /** Starts following the run from `offset` (its shared poller); returns what stops following. */
  readonly follow: (follower: LogFollower, offset: number) => () => void;
  /**
   * Called once when the stream ends, whatever ends it: the run is over, the client goes, the time is up,
   * or reading fails. Called before the client can see the end, so it may open its next stream at once.
   */
  readonly onEnd: () => void;
}

const encoder = new TextEncoder();
const event = (name: string, data: unknown, id?: number) =>
  encoder.encode(`${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);

/**
 * The log of a run as Server-Sent Events: `log` events carry text (JSON strings, each with the byte
 * offset reached as its id), then one `end` event with the final status, or an `error` event when reading
 * fails. Stops following when the client goes.
 */
export function logEventStream(options: LogEventStreamOptions): ReadableStream<Uint8Array> {
  let ended = false;
  let unfollow: (() => void) | undefined;
  let deadline: NodeJS.Timeout | undefined;
  /** Lets go of the poller, the timer and the slot, once; false when already done. */
  const finish = (): boolean => {
    if (ended) return false;
    ended = true;
    clearTimeout(deadline);
    unfollow?.();
    options.onEnd();
    return true;
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const close = (last?: Uint8Array) => {
        if (!finish()) return;
        if (last) controller.enqueue(last);
        controller.close();
      };
      controller.enqueue(encoder.encode('retry: 1000\n\n'));
      deadline = setTimeout(() => close(), options.maxDurationMs);
      deadline.unref();
      unfollow = options.follow(
        {
          log: (text, reached) => {
            if (!ended) controller.enqueue(event('log', text, reached));
          },
          end: (status, exitCode) => close(event('end', { status, exit_code: exitCode })),
          fail: (message) => close(event('error', { error: message })),
        },
        options.offset,
      );
    },
    cancel() {
      finish();
    },
  });
}
