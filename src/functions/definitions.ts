import type {
  HttpFunctionOptions,
  HttpMethod,
  HttpRequest,
  HttpResponseInit,
  InvocationContext,
} from '@azure/functions';
import type { RouteAccess } from '../auth/index.js';
import type { Caller } from '../core/access.js';
import { crossSiteRefusal, sessionRefusal } from './http/cross-site.js';
import { HttpError, toErrorResponse } from './http/errors.js';
import type { AppServices, ServicesProvider } from './services.js';

/**
 * A function defined once, as data. `src/index.ts` registers the list with `app.*` for Azure, and the
 * local host serves the very same list.
 */
export interface HttpFunctionDefinition {
  readonly kind: 'http';
  readonly name: string;
  /** Who may call it (checked by the wrapper before the handler runs). */
  readonly access: RouteAccess;
  readonly options: HttpFunctionOptions & {
    readonly route: string;
    readonly methods: HttpMethod[];
    readonly authLevel: RouteAccess['authLevel'];
  };
}

/**
 * A function run on a schedule: Azure fires it from the six-field NCRONTAB `schedule` (UTC), and so does
 * the local host (unless CLOUDO_LOCAL_TIMER_INTERVAL_MS says otherwise).
 */
export interface TimerFunctionDefinition {
  readonly kind: 'timer';
  readonly name: string;
  readonly schedule: string;
  readonly handler: (context: InvocationContext) => Promise<void>;
}

/**
 * A function fed by a Storage Queue. Azure's queue trigger decodes the base64 JSON text; the local host
 * polls the same queue and behaves the same: a throw makes the message come back after host.json's
 * `visibilityTimeout`, up to its `maxDequeueCount` deliveries, then it goes to `<queue>-poison`.
 */
export interface QueueFunctionDefinition {
  readonly kind: 'queue';
  readonly name: string;
  readonly queueName: string;
  readonly handler: (message: unknown, context: InvocationContext) => Promise<void>;
}

export type FunctionDefinition = HttpFunctionDefinition | TimerFunctionDefinition | QueueFunctionDefinition;

/** Everything a handler gets: the request, who is calling (already authorised), and the services. */
export interface HttpCall {
  readonly request: HttpRequest;
  readonly context: InvocationContext;
  readonly caller: Caller;
  readonly services: AppServices;
}

export interface HttpSpec extends RouteAccess {
  readonly route: string;
  readonly methods: HttpMethod[];
  /** A GET that changes state (Trigger, kept for the original's `curl …?id=`): refused to browser sessions. */
  readonly getChangesState?: boolean;
  /** How a refusal or error reaches the caller; JSON `{ "error" }` unless a browser route renders a page. */
  readonly renderError?: (status: number, message: string) => HttpResponseInit;
}

/**
 * Defines an HTTP function whose handler runs only for an authorised caller. The wrapper answers CORS
 * preflights, refuses state changes sent by other sites' pages, authenticates, maps every thrown error to
 * one `{ "error" }` response (toErrorResponse) and adds the headers every response carries.
 */
export function defineHttp(
  services: ServicesProvider,
  name: string,
  spec: HttpSpec,
  handler: (call: HttpCall) => Promise<HttpResponseInit>,
): HttpFunctionDefinition {
  const access: RouteAccess = { authLevel: spec.authLevel, role: spec.role, webhooks: spec.webhooks ?? false };
  return {
    kind: 'http',
    name,
    access,
    options: {
      route: spec.route,
      methods: [...spec.methods, 'OPTIONS'],
      authLevel: spec.authLevel,
      handler: async (request, context) => {
        let app: AppServices | undefined;
        let response: HttpResponseInit;
        try {
          app = services();
          if (request.method === 'OPTIONS') return preflight(app, request, spec.methods);
          const origins = allowedOrigins(app);
          const crossSite = crossSiteRefusal(request, origins);
          if (crossSite) {
            context.warn(`${name}: ${crossSite}`);
            throw new HttpError(403, crossSite);
          }
          const auth = await app.auth.authenticate(request, access);
          if (!auth.ok) {
            context.warn(`${name}: refused (${auth.status}) ${auth.error}`);
            throw new HttpError(auth.status, auth.error);
          }
          const session = sessionRefusal(request, auth.caller, spec.getChangesState ?? false, origins);
          if (session) {
            context.warn(`${name}: refused (403) ${session}`);
            throw new HttpError(403, session);
          }
          response = await handler({ request, context, caller: auth.caller, services: app });
          // a run the handler queued has its worker nudged before the answer goes (bounded, never throws)
          await app.wake.settle();
        } catch (err) {
          response = toErrorResponse(err, context);
          if (spec.renderError) response = spec.renderError(response.status ?? 500, errorMessage(response));
        }
        return withCommonHeaders(response, app, request);
      },
    },
  };
}

/** Origins whose pages may change state: the CORS origins and the console's public address. */
function allowedOrigins(app: AppServices): string[] {
  const publicUrl = app.settings.notify.publicUrl;
  return [...app.settings.auth.corsOrigins, ...(URL.canParse(publicUrl) ? [new URL(publicUrl).origin] : [])];
}

function errorMessage(response: HttpResponseInit): string {
  const body: unknown = response.jsonBody;
  return typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : 'internal error';
}

/** A browser's CORS preflight: allowed only for the origins configured in CLOUDO_CORS_ORIGINS. */
function preflight(app: AppServices, request: HttpRequest, methods: readonly HttpMethod[]): HttpResponseInit {
  const origin = request.headers.get('origin');
  if (!origin || !app.settings.auth.corsOrigins.includes(origin)) {
    return { status: 403, jsonBody: { error: 'cross-origin requests are not allowed from this origin' } };
  }
  return {
    status: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': methods.join(', '),
      'access-control-allow-headers': 'authorization, content-type, x-functions-key',
      'access-control-max-age': '600',
      vary: 'Origin',
    },
  };
}

function withCommonHeaders(
  response: HttpResponseInit,
  app: AppServices | undefined,
  request: HttpRequest,
): HttpResponseInit {
  const headers = new Headers(response.headers);
  if (!headers.has('x-content-type-options')) headers.set('x-content-type-options', 'nosniff');
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
  if (response.status === 401) headers.set('www-authenticate', 'Bearer realm="cloudo"');
  const origin = request.headers.get('origin');
  if (origin && app?.settings.auth.corsOrigins.includes(origin)) {
    headers.set('access-control-allow-origin', origin);
    headers.append('vary', 'Origin');
  }
  return { ...response, headers };
}
