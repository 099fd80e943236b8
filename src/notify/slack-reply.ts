import { isLoopbackHost } from '../core/loopback.js';

/**
 * Tells the person who clicked a button in Slack what came of it. Slack shows nothing from the HTTP answer
 * to a `block_actions` click: a note for the clicker goes to the click's `response_url`.
 */

/** Where a `response_url` may point: Slack's hooks, or (tests) the loopback server given as the Web API. */
function isSlackResponseUrl(url: string, apiUrl: string): boolean {
  if (!URL.canParse(url)) return false;
  const target = new URL(url);
  if (target.protocol === 'https:' && target.hostname === 'hooks.slack.com') return true;
  const api = new URL(apiUrl);
  return isLoopbackHost(api.hostname) && target.origin === api.origin;
}

export type SlackReply = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Posts `text` for the clicker only (ephemeral), leaving the message as it is. */
export async function replyToClick(
  responseUrl: string,
  text: string,
  options: { readonly apiUrl: string; readonly timeoutMs?: number },
): Promise<SlackReply> {
  if (!isSlackResponseUrl(responseUrl, options.apiUrl)) {
    return { ok: false, reason: 'response_url is not a Slack address: nothing sent' };
  }
  try {
    const response = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
      // Slack waits 3 s for the click's answer, which waits for this
      signal: AbortSignal.timeout(options.timeoutMs ?? 1500),
    });
    await response.body?.cancel();
    return response.ok ? { ok: true } : { ok: false, reason: `Slack answered HTTP ${response.status}` };
  } catch (err) {
    return { ok: false, reason: `no answer from Slack (${(err as Error).name})` };
  }
}
