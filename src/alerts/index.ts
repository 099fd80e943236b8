/**
 * The alerts folder's public surface: read a webhook body into AlertContexts (`parseAlert`), and the
 * Kubernetes reading every format shares. Parsers and helpers stay inside; outside code asks
 * `parseAlert`, which tries them all.
 */
export { ALERT_PARSERS, parseAlert } from './detect.js';
export type { FormatParser } from './format-parser.js';
export type { ExtractKubernetesOptions } from './kubernetes.js';
export { extractKubernetes, isScrapeJob } from './kubernetes.js';
