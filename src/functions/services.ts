import { Authenticator, createEntraTokenVerifier } from '../auth/index.js';
import type { AppSettings } from '../core/settings.js';
import { loadAppSettings } from '../core/settings.js';
import type { Storage } from '../storage/index.js';
import { createStorage } from '../storage/index.js';

/** What the functions need at run time; built once per process (or per test). */
export interface AppServices {
  readonly settings: AppSettings;
  readonly storage: Storage;
  readonly auth: Authenticator;
}

/** Handlers get services through this, so definitions can be built before settings are read. */
export type ServicesProvider = () => AppServices;

export function createAppServices(settings: AppSettings): AppServices {
  const storage = createStorage(settings.storage);
  const { webhook } = settings.auth;
  const auth = new Authenticator({
    settings: settings.auth,
    tokens: storage.tokens,
    webhookVerifier: webhook
      ? createEntraTokenVerifier({
          tenantId: webhook.tenantId,
          audiences: webhook.audiences,
          jwksUri: webhook.jwksUri ?? undefined,
          allowedAppIds: webhook.allowedAppIds,
        })
      : null,
    onError: (message, err) => console.error(message, err),
  });
  return { settings, storage, auth };
}

/** For the Azure entry: settings are read on first use, once, and a bad one fails every call loudly. */
export function lazyServices(env: Readonly<Record<string, string | undefined>>): ServicesProvider {
  let services: AppServices | undefined;
  return () => {
    services ??= createAppServices(loadAppSettings(env));
    return services;
  };
}
