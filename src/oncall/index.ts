export type { OpenPage, PlannedSend, Target } from './plan.js';
export { dedupKeyOf, planNotifications } from './plan.js';
export type { Attempt, ResultHandlerDeps } from './result-handler.js';
export { handleResult } from './result-handler.js';
export { RetryLaterError } from './send-round.js';
export type { TeamNotifier, TeamNotifiers } from './team-notifiers.js';
