import type { AuthSettings } from '../../src/core/auth-settings.js';
import type { NotifySettings } from '../../src/core/notify-settings.js';
import type { HttpFunctionDefinition, RegistrationOptions } from '../../src/functions/index.js';
import { createFunctionDefinitions } from '../../src/functions/index.js';
import type { RunningHttpHost } from '../../src/local/http-host.js';
import { startHttpHost } from '../../src/local/http-host.js';
import { testServices } from './functions.js';
import type { TestStorage } from './storage.js';

export const FUNCTION_KEY = 'test-function-key-0123456789abcdefghijklmnop';
export const MASTER_KEY = 'test-master-key-0123456789abcdefghijklmnopqrs';

export interface SecuredApp {
  readonly host: RunningHttpHost;
  /** The HTTP functions the host serves. */
  readonly definitions: HttpFunctionDefinition[];
  /** fetch against the host, with a path like `/api/executions`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The whole app as production runs it: keys enforced by the host, roles by the functions. `notify` points
 * its notifiers somewhere (fakes); default: none configured. `maxBodyBytes` defaults to a small 4 KB so
 * tests of the limit send little.
 */
export async function startSecuredApp(
  t: TestStorage,
  auth: Partial<AuthSettings> = {},
  registration: RegistrationOptions = {},
  notify?: NotifySettings,
  maxBodyBytes = 4096,
): Promise<SecuredApp> {
  const services = testServices(t, { maxBodyBytes, auth, ...(notify ? { notify } : {}) });
  const definitions = createFunctionDefinitions(services, registration);
  const host = await startHttpHost({
    definitions,
    port: 0,
    keys: { functionKeys: [FUNCTION_KEY], masterKey: MASTER_KEY },
    log: () => undefined,
  });
  return {
    host,
    definitions: definitions.filter((d): d is HttpFunctionDefinition => d.kind === 'http'),
    fetch: (path, init) => fetch(`${host.url}${path}`, init),
    close: () => host.close(),
  };
}
