import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack request signing (v0): Slack signs every request it sends to the app's Request URL with the app's
 * signing secret, so a signed request is one Slack sent, about the body as it was sent, recently. Pure:
 * the caller passes the headers, the raw body and the clock.
 */

export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';
export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
/** How far a request's timestamp may be from our clock, either way, in seconds (Slack's advice: 5 minutes). */
export const SLACK_MAX_AGE_SECONDS = 300;

export type SlackSignatureVerdict = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** The `x-slack-signature` of `body` sent at `timestamp` (Unix seconds): `v0=` + hex HMAC-SHA256. */
export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * Whether a request is Slack's: both headers present, the timestamp within SLACK_MAX_AGE_SECONDS of `now`
 * (an older one is a replay or a clock that is off), and the signature that of this raw body, compared in
 * constant time. The errors say which, for the 401 the caller answers.
 */
export function verifySlackSignature(request: {
  readonly secret: string;
  readonly timestamp: string | null;
  readonly signature: string | null;
  readonly rawBody: string;
  readonly now: Date;
}): SlackSignatureVerdict {
  const { timestamp, signature } = request;
  if (!timestamp || !signature) {
    const missing = [timestamp ? null : SLACK_TIMESTAMP_HEADER, signature ? null : SLACK_SIGNATURE_HEADER];
    return refuse(`${missing.filter(Boolean).join(' and ')} missing: this route takes requests signed by Slack`);
  }
  if (!/^\d{1,12}$/.test(timestamp)) return refuse(`${SLACK_TIMESTAMP_HEADER} must be Unix seconds`);
  const skewSeconds = Math.abs(Math.floor(request.now.getTime() / 1000) - Number(timestamp));
  if (skewSeconds > SLACK_MAX_AGE_SECONDS) {
    return refuse(
      `stale request: ${SLACK_TIMESTAMP_HEADER} is ${skewSeconds} s away from now, outside the ` +
        `${SLACK_MAX_AGE_SECONDS} s window (a replayed request, or a clock that is off)`,
    );
  }
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) return refuse(`${SLACK_SIGNATURE_HEADER} is not a v0 signature`);
  const expected = Buffer.from(slackSignature(request.secret, timestamp, request.rawBody));
  // both are `v0=` and 64 hex digits here, so the lengths match as timingSafeEqual needs
  if (!timingSafeEqual(expected, Buffer.from(signature))) {
    return refuse(
      `${SLACK_SIGNATURE_HEADER} does not match: the body was changed, or SLACK_SIGNING_SECRET is not this Slack app's signing secret`,
    );
  }
  return { ok: true };
}

function refuse(error: string): SlackSignatureVerdict {
  return { ok: false, error };
}
