import type { RegistrationSettings } from '../core/settings.js';
import { loadRegistrationSettings } from '../core/settings.js';
import {
  decideApprovalFunction,
  decisionFormFunction,
  getApprovalFunction,
  listApprovalsFunction,
} from './approvals.js';
import { auditFunction } from './audit.js';
import { cancelExecutionFunction } from './cancel.js';
import { approvalsPageFunction } from './console-approvals.js';
import { localTimesScriptFunction, runsRefreshScriptFunction } from './console-assets.js';
import { auditPageFunction } from './console-audit.js';
import { dashboardPageFunction } from './console-dashboard.js';
import { scheduleDisableFormFunction, scheduleEnableFormFunction, schedulesPageFunction } from './console-schedules.js';
import { settingsPageFunction } from './console-settings.js';
import { workersPageFunction } from './console-workers.js';
import type { FunctionDefinition } from './definitions.js';
import { getExecutionFunction, getExecutionLogFunction, listExecutionsFunction } from './executions.js';
import { federatedTokenFunction } from './federated-token.js';
import { healthFunction } from './health.js';
import { housekeepingFunction } from './housekeeping.js';
import { isolatedRunFunction } from './isolated-run.js';
import { executionPageFunction, executionsPageFunction } from './logs.js';
import { jwksFunction, openidConfigurationFunction } from './oidc.js';
import { resultsFunction } from './results.js';
import { cancelFormFunction, rerunFormFunction } from './run-forms.js';
import { runbookPageFunction, runbooksPageFunction, runFormFunction } from './runbooks.js';
import { rerunFunction, startRunFunction } from './runs.js';
import { schedulerFunction } from './scheduler.js';
import {
  clearScheduleOverrideFunction,
  deleteScheduleFunction,
  getScheduleFunction,
  listSchedulesFunction,
  putScheduleFunction,
  setScheduleEnabledFunction,
} from './schedules.js';
import { getSchemaFunction, getSchemaRunbookFunction, listSchemasFunction } from './schemas.js';
import type { ServicesProvider } from './services.js';
import { settingsFunction } from './settings.js';
import { slackInteractionsFunction } from './slack.js';
import { statsFunction } from './stats.js';
import { liveLogScriptFunction, streamExecutionLogFunction } from './stream.js';
import { triggerFunction } from './trigger.js';
import { listWorkersFunction } from './workers.js';

// the @azure/functions runtime values, so the entry and the local host reach them through this surface
export { app, HttpRequest, HttpResponse, InvocationContext } from './azure-runtime.js';
export type {
  FunctionDefinition,
  HttpFunctionDefinition,
  QueueFunctionDefinition,
  TimerFunctionDefinition,
} from './definitions.js';
export type { AppServices, ServicesProvider } from './services.js';
export { createAppServices, lazyServices } from './services.js';

export type RegistrationOptions = Partial<RegistrationSettings>;

/** Reads the registration options from the environment the host starts with (core/settings.ts). */
export const registrationOptions = loadRegistrationSettings;

/** Every function of the app: where each request goes, in one list. */
export function createFunctionDefinitions(
  services: ServicesProvider,
  options: RegistrationOptions = {},
): FunctionDefinition[] {
  return [
    triggerFunction(services, options.triggerAuthLevel),
    listExecutionsFunction(services),
    getExecutionFunction(services),
    getExecutionLogFunction(services),
    statsFunction(services),
    cancelExecutionFunction(services),
    startRunFunction(services),
    rerunFunction(services),
    listSchemasFunction(services),
    getSchemaFunction(services),
    getSchemaRunbookFunction(services),
    listSchedulesFunction(services),
    getScheduleFunction(services),
    putScheduleFunction(services),
    deleteScheduleFunction(services),
    setScheduleEnabledFunction(services, true),
    setScheduleEnabledFunction(services, false),
    clearScheduleOverrideFunction(services),
    listApprovalsFunction(services),
    getApprovalFunction(services),
    decideApprovalFunction(services),
    decisionFormFunction(services),
    cancelFormFunction(services),
    rerunFormFunction(services),
    slackInteractionsFunction(services),
    streamExecutionLogFunction(services),
    liveLogScriptFunction(services),
    runsRefreshScriptFunction(services),
    localTimesScriptFunction(services),
    executionsPageFunction(services),
    executionPageFunction(services),
    runbooksPageFunction(services),
    runbookPageFunction(services),
    runFormFunction(services),
    dashboardPageFunction(services),
    workersPageFunction(services),
    approvalsPageFunction(services),
    schedulesPageFunction(services),
    scheduleEnableFormFunction(services),
    scheduleDisableFormFunction(services),
    auditPageFunction(services),
    settingsPageFunction(services),
    auditFunction(services),
    settingsFunction(services),
    listWorkersFunction(services),
    healthFunction(services),
    openidConfigurationFunction(services),
    jwksFunction(services),
    federatedTokenFunction(services),
    isolatedRunFunction(services),
    housekeepingFunction(services),
    schedulerFunction(services),
    resultsFunction(services, options.namespace ?? ''),
  ];
}
