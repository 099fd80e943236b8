/** Notifiers: one class per service, all behind `Notifier` from core. */
export type { OpsgenieNotifierOptions } from './opsgenie.js';
export { OpsgenieNotifier } from './opsgenie.js';
export type { PagerDutyNotifierOptions } from './pagerduty.js';
export { PagerDutyNotifier } from './pagerduty.js';
export type { SlackNotifierOptions } from './slack.js';
export { SlackNotifier } from './slack.js';
export { APPROVE_ACTION, REJECT_ACTION } from './slack-approval.js';
export type { SlackReply } from './slack-reply.js';
export { replyToClick } from './slack-reply.js';
export { escapeSlack } from './slack-text.js';
export type { SlackUserDirectoryOptions, SlackUserEmail } from './slack-users.js';
export { SlackUserDirectory } from './slack-users.js';
