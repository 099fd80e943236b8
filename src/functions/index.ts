import {
  decideApprovalFunction,
  decisionFormFunction,
  getApprovalFunction,
  listApprovalsFunction,
} from './approvals.js';
import { auditFunction } from './audit.js';
import { cancelExecutionFunction } from './cancel.js';
import type { FunctionDefinition } from './definitions.js';
import { getExecutionFunction, getExecutionLogFunction, listExecutionsFunction } from './executions.js';
import { healthFunction } from './health.js';
import { housekeepingFunction } from './housekeeping.js';
import { executionPageFunction, executionsPageFunction } from './logs.js';
import { resultsFunction } from './results.js';
import type { ServicesProvider } from './services.js';
import { settingsFunction } from './settings.js';
import { slackInteractionsFunction } from './slack.js';
import { liveLogScriptFunction, streamExecutionLogFunction } from './stream.js';
import type { TriggerAuthLevel } from './trigger.js';
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

export interface RegistrationOptions {
  /** `CLOUDO_TRIGGER_AUTH_LEVEL`: read when the host registers the functions (see triggerFunction). */
  readonly triggerAuthLevel?: TriggerAuthLevel;
  /** `CLOUDO_STORAGE_NAMESPACE`: names the queue the results function listens on. */
  readonly namespace?: string;
}

/** Reads the registration options from the environment the host starts with. */
export function registrationOptions(env: Readonly<Record<string, string | undefined>>): RegistrationOptions {
  const level = env.CLOUDO_TRIGGER_AUTH_LEVEL?.trim() || 'function';
  if (level !== 'function' && level !== 'anonymous') {
    throw new Error(`CLOUDO_TRIGGER_AUTH_LEVEL="${level}" is invalid: use function or anonymous`);
  }
  return { triggerAuthLevel: level, namespace: env.CLOUDO_STORAGE_NAMESPACE?.trim() ?? '' };
}

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
    cancelExecutionFunction(services),
    listApprovalsFunction(services),
    getApprovalFunction(services),
    decideApprovalFunction(services),
    decisionFormFunction(services),
    slackInteractionsFunction(services),
    streamExecutionLogFunction(services),
    liveLogScriptFunction(services),
    executionsPageFunction(services),
    executionPageFunction(services),
    auditFunction(services),
    settingsFunction(services),
    listWorkersFunction(services),
    healthFunction(services),
    housekeepingFunction(services),
    resultsFunction(services, options.namespace ?? ''),
  ];
}
