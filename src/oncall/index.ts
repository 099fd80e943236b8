export type { OpenPage, PlannedSend, Target } from './plan.js';
export { dedupKeyOf, planNotifications } from './plan.js';
export type { Attempt, ResultHandlerDeps } from './result-handler.js';
export { handleResult, RetryLaterError } from './result-handler.js';
