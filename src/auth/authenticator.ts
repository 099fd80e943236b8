import type { HttpRequest } from '@azure/functions';
import type { Caller, Role } from '../core/access.js';
import { hasRole } from '../core/access.js';
import { checkApiToken, parseApiToken } from '../core/api-token.js';
import type { AuthSettings } from '../core/auth-settings.js';
import { parseClientPrincipal } from '../core/client-principal.js';
import { functionKeyIdentity } from '../core/function-key.js';
import type { TokenRepository } from '../storage/index.js';

/** What a route demands. `authLevel` is enforced by the Functions host (and by the local host when secured). */
export interface RouteAccess {
  readonly authLevel: 'anonymous' | 'function' | 'admin';
  /** Least role a caller needs; `public` routes (health) need none. */
  readonly role: Role | 'public';
  /** Whether an Azure Monitor Secure Webhook token may call it (Trigger only): a webhook is no API user. */
  readonly webhooks?: boolean;
}

/** Checks an `Authorization: Bearer <JWT>` of an Azure Monitor Secure Webhook. */
export interface WebhookTokenVerifier {
  verify(
    authorization: string | null,
  ): Promise<{ ok: true; subject: { appId: string; roles: readonly string[] } } | { ok: false; reason: string }>;
}

export type AuthResult = { ok: true; caller: Caller } | { ok: false; status: 401 | 403 | 503; error: string };

export interface AuthenticatorOptions {
  readonly settings: AuthSettings;
  readonly tokens: Pick<TokenRepository, 'get' | 'touch'>;
  readonly webhookVerifier: WebhookTokenVerifier | null;
  /** Where best-effort failures (a lost "last used" update) are reported. */
  readonly onError?: (message: string, err: unknown) => void;
  readonly now?: () => Date;
}

const ANONYMOUS: Caller = { kind: 'anonymous', id: 'anonymous', roles: [], principal: 'anonymous', memberships: [] };
const LOCAL: Caller = { kind: 'local', id: 'local (auth off)', roles: ['admin'], principal: 'local', memberships: [] };
/** How stale "last used" may get before a request rewrites it: one write a minute per token at most. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * The one place that turns a request into a Caller and decides whether it may use a route. Identities,
 * strongest first: a person from App Service Authentication (only if trusted), a ClouDO API token, an
 * Entra-signed Secure Webhook; else, on key-level routes, the Functions key the host already checked.
 */
export class Authenticator {
  private readonly now: () => Date;

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async authenticate(request: HttpRequest, access: RouteAccess): Promise<AuthResult> {
    if (access.role === 'public') return { ok: true, caller: ANONYMOUS };
    if (!this.options.settings.enforce) return { ok: true, caller: LOCAL };
    const identified = await this.identify(request, access);
    if (!identified.ok) return identified;
    const { caller } = identified;
    if (caller.kind === 'webhook' && !access.webhooks) {
      return { ok: false, status: 403, error: 'a Secure Webhook token may only call Trigger' };
    }
    if (!hasRole(caller, access.role)) {
      const has = caller.roles.length > 0 ? caller.roles.join(', ') : 'no ClouDO role';
      return { ok: false, status: 403, error: `this needs the ${access.role} role; ${caller.id} has ${has}` };
    }
    return { ok: true, caller };
  }

  private async identify(request: HttpRequest, access: RouteAccess): Promise<AuthResult> {
    const { settings } = this.options;
    const principal = request.headers.get('x-ms-client-principal');
    const authorization = request.headers.get('authorization');
    if (principal && settings.trustEasyAuth) {
      // Behind App Service Authentication a token that ClouDO checks itself still decides who calls: an
      // API token, or an action group's Secure Webhook token, whose principal carries no ClouDO role.
      if (authorization && isApiToken(authorization)) return this.bearer(authorization);
      const webhook = authorization ? await this.webhookCaller(authorization) : null;
      if (webhook?.ok) return webhook;
      const parsed = parseClientPrincipal(principal);
      if (!parsed.ok) return { ok: false, status: 401, error: parsed.reason };
      return {
        ok: true,
        caller: {
          kind: 'user',
          id: parsed.id,
          roles: parsed.roles,
          principal: `user:${parsed.id.toLowerCase()}`,
          memberships: parsed.memberships,
        },
      };
    }
    if (authorization) return this.bearer(authorization);
    if (access.authLevel !== 'anonymous') {
      // the host refuses a key-level route without a valid key, so reaching here means a key was checked
      const key = functionKeyIdentity(presentedKey(request), settings.functionKeyNames);
      return {
        ok: true,
        caller: {
          kind: 'function-key',
          ...key,
          roles: [access.authLevel === 'admin' ? 'admin' : 'operator'],
          memberships: [],
        },
      };
    }
    const ignored = principal
      ? ' (x-ms-client-principal is ignored: App Service Authentication is not trusted here)'
      : '';
    return {
      ok: false,
      status: 401,
      error: `authentication required: sign in, or send Authorization: Bearer <ClouDO API token>${ignored}${originalKeyHint(request)}`,
    };
  }

  private async bearer(authorization: string): Promise<AuthResult> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) return { ok: false, status: 401, error: 'Authorization must be "Bearer <token>"' };
    const token = match[1];
    if (token.startsWith('cloudo_')) return this.apiToken(token);
    return (
      (await this.webhookCaller(authorization)) ?? {
        ok: false,
        status: 401,
        error: 'not a ClouDO API token (Secure Webhook tokens are not configured)',
      }
    );
  }

  /** The action group behind a Secure Webhook token; null when Secure Webhooks are not configured. */
  private async webhookCaller(authorization: string): Promise<AuthResult | null> {
    const verifier = this.options.webhookVerifier;
    if (!verifier) return null;
    const verdict = await verifier.verify(authorization);
    if (!verdict.ok) {
      // Entra's keys being unreachable is our outage, not a bad token: 503 lets the action group retry
      const status = verdict.reason === 'signing keys unavailable' ? 503 : 401;
      return { ok: false, status, error: `webhook token refused: ${verdict.reason}` };
    }
    const { appId, roles } = verdict.subject;
    const settings = this.options.settings.webhook;
    // any service principal of the tenant can get a token for ClouDO's app: an app named in the allow-list,
    // or the action groups' app role, is what says this one is Azure Monitor
    if (settings && settings.allowedAppIds.length === 0 && !roles.includes(settings.appRole)) {
      return {
        ok: false,
        status: 403,
        error: `webhook token refused: it lacks the app role ${settings.appRole} (CLOUDO_WEBHOOK_APP_ROLE): assign that role to the action group’s service principal, or list its app in CLOUDO_WEBHOOK_ALLOWED_APP_IDS`,
      };
    }
    return {
      ok: true,
      caller: {
        kind: 'webhook',
        id: `app ${appId}`,
        roles: ['operator'],
        principal: `app:${appId.toLowerCase()}`,
        memberships: [],
      },
    };
  }

  private async apiToken(token: string): Promise<AuthResult> {
    const refused = (why: string): AuthResult => ({ ok: false, status: 401, error: `API token refused: ${why}` });
    const parsed = parseApiToken(token);
    if (!parsed) return refused('malformed');
    const record = await this.options.tokens.get(parsed.id);
    if (!record) return refused('unknown');
    const now = this.now();
    const check = checkApiToken(record, parsed.secret, now);
    // a wrong secret for an existing id says no more than an unknown id would
    if (!check.ok) return refused(check.reason === 'wrong secret' ? 'unknown' : check.reason);
    if (!record.lastUsedAt || now.getTime() - Date.parse(record.lastUsedAt) > TOUCH_INTERVAL_MS) {
      this.options.tokens
        .touch(record.id, now)
        .catch((err) => this.options.onError?.('could not record token use', err));
    }
    return {
      ok: true,
      caller: {
        kind: 'token',
        id: `${record.owner} (token ${record.id})`,
        roles: [record.role],
        // a token speaks for its owner: name owners as people sign in (their UPN) and policies see one person
        principal: `user:${record.owner.toLowerCase()}`,
        memberships: [],
      },
    };
  }
}

const isApiToken = (authorization: string) => /^Bearer\s+cloudo_/i.test(authorization.trim());

/**
 * The key the host checked, read as the host reads it: the first `x-functions-key` value, else the first
 * `code` query value. Another key the caller adds beside it opened nothing and is not the one recorded.
 */
function presentedKey(request: HttpRequest): string | null {
  // Headers joins repeated headers with ", "; the host took the first
  const header = request.headers.get('x-functions-key')?.split(',')[0]?.trim();
  return header || request.query.get('code') || null;
}

/**
 * Callers moving from the original ClouDO still send its shared key; say what replaces it instead of a bare
 * 401 (the key itself is never read: one shared secret for every caller is what we dropped).
 */
function originalKeyHint(request: HttpRequest): string {
  const sent = request.headers.has('x-cloudo-key') || request.query.has('x-cloud-key');
  return sent
    ? '. x-cloudo-key (the original ClouDO\'s shared key) is not accepted: send a Functions key (?code= or x-functions-key) or an API token (cloudo tokens create); see the README, "Coming from the original ClouDO"'
    : '';
}
