export type { ExecutionPageInput } from './execution-page.js';
export { EXECUTION_REFRESH_SECONDS, renderExecutionPage } from './execution-page.js';
export type { ExecutionsFilter, ExecutionsPageInput } from './executions-page.js';
export {
  EXECUTIONS_REFRESH_SECONDS,
  executionsUrl,
  executionUrl,
  renderExecutionsPage,
} from './executions-page.js';
export type { HtmlFragment, HtmlValue } from './html.js';
export { escapeHtml, html, raw } from './html.js';
export type { LayoutOptions, Refresh } from './layout.js';
export { layout, renderErrorPage } from './layout.js';
export { LIVE_LOG_SCRIPT, LIVE_LOG_SCRIPT_PATH } from './live-log-script.js';
export type { WorkerView } from './workers-panel.js';
