import { z } from 'zod';
import { isProcessRunning } from './process-alive.js';

/** What the local stack tells its Azurite process over the IPC channel. */
export const AzuriteDependents = z.object({
  /** Processes writing to this Azurite (the workers), as they are now. */
  dependents: z.array(z.number().int().positive()),
});
export type AzuriteDependents = z.infer<typeof AzuriteDependents>;

export interface ParentWatchOptions {
  /** After the parent died, the longest wait for the dependents to exit before closing anyway. */
  readonly dependentsWaitMs: number;
  /** How often the dependents are checked (default 100). */
  readonly pollMs?: number;
  /** Closes Azurite gracefully; false while it cannot (still starting) or need not (already closing). */
  readonly close: () => boolean;
}

/**
 * Runs inside the Azurite process: when the parent is gone (its end of the IPC channel closes, however it
 * died), let the dependents finish their last writes, then close Azurite. Nothing here keeps the process
 * alive: the channel and the timers are unref'd, so the process ends once Azurite's servers have closed.
 */
export function watchParent(options: ParentWatchOptions): void {
  const channel = process.channel;
  if (!channel) throw new Error('the Azurite process must be started with an IPC channel to its parent');
  let dependents: readonly number[] = [];
  channel.unref();
  process.on('message', (message: unknown) => {
    const parsed = AzuriteDependents.safeParse(message);
    if (parsed.success) dependents = parsed.data.dependents;
  });
  process.once('disconnect', () => {
    const deadline = Date.now() + options.dependentsWaitMs;
    const check = () => {
      const waiting = Date.now() < deadline && dependents.some(isProcessRunning);
      if (waiting || !options.close()) setTimeout(check, options.pollMs ?? 100).unref();
    };
    check();
  });
}
