export { announceResult } from './announce.js';
export { CancelWatcher } from './cancel-watcher.js';
export { Heartbeat } from './heartbeat.js';
export { LeaseKeeper } from './lease-keeper.js';
export { giveUp, readJob } from './poison.js';
export { ConcurrencySlots, ExclusiveTurns } from './turn-taking.js';
export type { WakeListenerOptions, WakeRefusal } from './wake-listener.js';
export { MAX_WAKE_BODY_BYTES, WakeListener } from './wake-listener.js';
