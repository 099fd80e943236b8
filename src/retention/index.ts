export type { RetentionOptions, RetentionReport } from './apply-retention.js';
export { applyRetention } from './apply-retention.js';
