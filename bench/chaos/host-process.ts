/**
 * Child-process entry of the stack-kill scenario: the functions of the local stack (HTTP on `PORT`, the
 * queue functions, the timers) against the storage `AzureWebJobsStorage` names, as src/local/stack.ts wires
 * them, but in a process of their own, so the scenario can SIGKILL them and start them again.
 */
import { loadAppSettings } from '../../src/core/settings.js';
import { createAppServices, createFunctionDefinitions, registrationOptions } from '../../src/functions/index.js';
import { startHttpHost } from '../../src/local/http-host.js';
import { loadTimerInterval } from '../../src/local/local-settings.js';
import { startQueueFunctions } from '../../src/local/queue-runner.js';
import { startTimers } from '../../src/local/timer-runner.js';

const env = process.env;
const services = createAppServices(loadAppSettings({ ...env, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off' }));
const definitions = createFunctionDefinitions(() => services, registrationOptions(env));
const log = (name: string, level: string, args: unknown[]) => {
  if (level === 'error') console.error(`[${name}] ${args.map(String).join(' ')}`);
};
startTimers(definitions, log, loadTimerInterval(env));
startQueueFunctions(definitions, services.storage.clients, log);
const host = await startHttpHost({ definitions, port: Number(env.PORT ?? 0), keys: null, log });
console.log(`listening at ${host.url}`);
