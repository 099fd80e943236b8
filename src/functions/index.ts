import type { FunctionDefinition } from './definitions.js';
import { getExecutionFunction, getExecutionLogFunction, listExecutionsFunction } from './executions.js';
import { healthFunction } from './health.js';
import { executionPageFunction, executionsPageFunction } from './logs.js';
import type { ServicesProvider } from './services.js';
import { triggerFunction } from './trigger.js';

export type { FunctionDefinition, HttpFunctionDefinition } from './definitions.js';
export type { AppServices, ServicesProvider } from './services.js';
export { createAppServices, lazyServices } from './services.js';

/** Every function of the app: where each request goes, in one list. */
export function createFunctionDefinitions(services: ServicesProvider): FunctionDefinition[] {
  return [
    triggerFunction(services),
    listExecutionsFunction(services),
    getExecutionFunction(services),
    getExecutionLogFunction(services),
    executionsPageFunction(services),
    executionPageFunction(services),
    healthFunction(services),
  ];
}
