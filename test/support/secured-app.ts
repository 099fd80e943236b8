import type { AuthSettings } from '../../src/core/auth-settings.js';
import type { NotifySettings } from '../../src/core/notify-settings.js';
import type { HttpFunctionDefinition, RegistrationOptions } from '../../src/functions/index.js';
import { createFunctionDefinitions } from '../../src/functions/index.js';
import type { AppServices } from '../../src/functions/services.js';
import type { RunningHttpHost } from '../../src/local/http-host.js';
import { startHttpHost } from '../../src/local/http-host.js';
import type { TestServicesOptions } from './functions.js';
import { testServices } from './functions.js';
import type { TestStorage } from './storage.js';

export const FUNCTION_KEY = 'test-function-key-0123456789abcdefghijklmnop';
/** A second host function key, as a second caller would have: the audit log must tell the two apart. */
export const OTHER_FUNCTION_KEY = 'test-other-function-key-0123456789abcdefghijk';
export const MASTER_KEY = 'test-master-key-0123456789abcdefghijklmnopqrs';

export interface SecuredApp {
  readonly host: RunningHttpHost;
  /** The HTTP functions the host serves. */
  readonly definitions: HttpFunctionDefinition[];
  /** Every line the functions logged, `<function> <level> <text>`: what would reach Application Insights. */
  readonly logs: readonly string[];
  /** The services the functions run with (the storage object they read through, the live-log streams). */
  readonly services: AppServices;
  /** fetch against the host, with a path like `/api/executions`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The whole app as production runs it: keys enforced by the host, roles by the functions. `notify` points
 * its notifiers somewhere (fakes); default: none configured. `tuning` sets what else tests adjust (caps, timings).
 */
export async function startSecuredApp(
  t: TestStorage,
  auth: Partial<AuthSettings> = {},
  registration: RegistrationOptions = {},
  notify?: NotifySettings,
  tuning: Omit<TestServicesOptions, 'auth' | 'notify'> = {},
): Promise<SecuredApp> {
  const services = testServices(t, { maxBodyBytes: 4096, ...tuning, auth, ...(notify ? { notify } : {}) });
  const definitions = createFunctionDefinitions(services, registration);
  const logs: string[] = [];
  const host = await startHttpHost({
    definitions,
    port: 0,
    keys: { functionKeys: [FUNCTION_KEY, OTHER_FUNCTION_KEY], masterKey: MASTER_KEY },
    log: (name, level, args) => logs.push(`${name} ${level} ${args.map(String).join(' ')}`),
  });
  return {
    host,
    logs,
    definitions: definitions.filter((d): d is HttpFunctionDefinition => d.kind === 'http'),
    services: services(),
    fetch: (path, init) => fetch(`${host.url}${path}`, init),
    close: () => host.close(),
  };
}
