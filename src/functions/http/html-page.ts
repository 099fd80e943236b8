import type { HttpResponseInit } from '@azure/functions';
import type { HtmlFragment } from '../../ui/index.js';
import { renderErrorPage } from '../../ui/index.js';

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // the pages show runbook output: even markup that slipped past escaping may run no script, load
  // nothing and post nowhere else; the refresh is a <meta> tag, which needs no script
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // for browsers that predate frame-ancestors
  'x-frame-options': 'DENY',
  // no address leaves for other sites; a same-origin POST keeps its real Origin (no-referrer would send
  // `Origin: null`, which the cross-site check cannot tell from a sandboxed attacker's frame)
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

export function htmlResponse(status: number, page: HtmlFragment): HttpResponseInit {
  return { status, body: page.toString(), headers: { ...HTML_HEADERS } };
}

/**
 * Browser routes answer a refusal or a mistake (bad id 400, unknown run 404, bad filter 400) with a
 * page a person can read, not with JSON; toErrorResponse still decides the status and the words.
 */
export const renderError = (status: number, message: string) => htmlResponse(status, renderErrorPage(status, message));
