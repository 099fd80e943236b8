/**
 * The program of the local stack's Azurite process: Azurite's own CLI, run in this process once a watchdog
 * is set up, so that Azurite never loses acknowledged writes because its parent died.
 *
 * Azurite keeps table rows, queue messages' state and blob metadata in LokiJS databases held in memory,
 * saved to disk every 5 s and when it closes gracefully (its SIGTERM/SIGINT handler closes the servers,
 * and closing a database saves it). So it must close, never just die:
 *  - its output goes to a file (azurite.ts opens it), never to a pipe. With a pipe, the first log line
 *    after the parent died failed with EPIPE, the unhandled 'error' ended Azurite without a save, and the
 *    claims and final statuses of the last seconds were lost;
 *  - when the parent is gone (SIGKILL, crash, or an exit that skipped stop()), the watchdog lets the
 *    workers finish their last writes, then closes Azurite as its SIGTERM handler does.
 *
 * argv: <dependentsWaitMs> <Azurite CLI arguments...>
 */
import { createRequire } from 'node:module';
import { watchParent } from './azurite-watchdog.js';

const require = createRequire(import.meta.url);
const [waitArg, ...azuriteArgs] = process.argv.slice(2);
const dependentsWaitMs = Number(waitArg);
if (!Number.isFinite(dependentsWaitMs)) throw new Error('usage: azurite-process <dependentsWaitMs> <azurite args...>');
const cli = require.resolve('azurite/dist/src/azurite.js');
// Node itself sets none; counted in case a preloaded module did
const otherSigtermListeners = process.listenerCount('SIGTERM');

watchParent({
  dependentsWaitMs,
  close: () => {
    // Azurite's CLI sets its handler once its servers listen; the parent may have died before that, and
    // once the handler ran (stop() sent SIGTERM) it is gone again: Azurite is closing, nothing to do
    if (process.listenerCount('SIGTERM') === otherSigtermListeners) return false;
    // emitted, not sent with kill(): a real signal that arrived after the handler ran (a stop() racing this)
    // would meet no handler and kill the process in the middle of its save
    process.emit('SIGTERM', 'SIGTERM');
    return true;
  },
});
// the CLI reads its options from process.argv, as if it had been started itself
process.argv = [process.argv[0] ?? process.execPath, cli, ...azuriteArgs];
require(cli);
