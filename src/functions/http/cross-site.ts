import type { HttpRequest } from '@azure/functions';
import type { Caller } from '../../core/access.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether `origin` is ClouDO's own (the request's address) or one of the allowed ones. */
function isTrustedOrigin(request: HttpRequest, origin: string, allowedOrigins: readonly string[]): boolean {
  return origin === new URL(request.url).origin || allowedOrigins.includes(origin);
}

/**
 * Why a state-changing request must be refused as coming from another site, or null. Browsers say where
 * a request comes from (`Sec-Fetch-Site`, `Origin`) and a page cannot forge either; API clients (curl,
 * the CLI, action groups, Alertmanager) send neither and are not affected. Without this, a page on any
 * site could make a signed-in person's browser approve, cancel or trigger (cookie sessions are sent along).
 */
export function crossSiteRefusal(request: HttpRequest, allowedOrigins: readonly string[]): string | null {
  if (SAFE_METHODS.has(request.method)) return null;
  // a browser that sends Sec-Fetch-Site says exactly where the request comes from; Origin is for the rest
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) {
    if (site === 'same-origin' || site === 'none') return null;
    return `refused a ${request.method} from another site (Sec-Fetch-Site: ${site.slice(0, 20)}): state changes come from ClouDO's own pages or from API clients`;
  }
  const origin = request.headers.get('origin');
  if (origin === null || isTrustedOrigin(request, origin, allowedOrigins)) return null;
  return `refused a ${request.method} from origin ${origin.slice(0, 200)}: state changes come from ClouDO's own pages or from API clients`;
}

/**
 * Why a request of a signed-in browser session (Easy Auth: the session cookie goes with every request,
 * whoever's page makes it) must be refused, or null. Such a session changes state only by a request its
 * browser says comes from ClouDO's own pages, and never by a GET (`getChangesState`: Trigger), which any
 * link, redirect or image on another site can make. Keys, API tokens and webhooks are not sessions.
 */
export function sessionRefusal(
  request: HttpRequest,
  caller: Caller,
  getChangesState: boolean,
  allowedOrigins: readonly string[],
): string | null {
  if (caller.kind !== 'user') return null;
  if (SAFE_METHODS.has(request.method)) {
    return getChangesState
      ? 'a signed-in browser session starts runs with POST from ClouDO’s own pages; GET Trigger is for keys, API tokens and webhooks'
      : null;
  }
  if (request.headers.get('sec-fetch-site') === 'same-origin') return null;
  const origin = request.headers.get('origin');
  if (origin !== null && isTrustedOrigin(request, origin, allowedOrigins)) return null;
  return 'a signed-in browser session may change state only from ClouDO’s own pages (Sec-Fetch-Site: same-origin, or an allowed Origin)';
}
