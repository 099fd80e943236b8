import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackSignature } from '../../../src/core/slack-signature.js';

// Slack's published example (docs.slack.dev/authentication/verifying-requests-from-slack), split so that
// secret scanners do not take the public fixture for a credential
const DOC_SECRET = ['8f742231b10e8888', 'abcd99yyyzzz85a5'].join('');
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const AT = new Date(Number(DOC_TIMESTAMP) * 1000);
const secondsLater = (s: number) => new Date(AT.getTime() + s * 1000);

const verify = (over: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({
    secret: DOC_SECRET,
    timestamp: DOC_TIMESTAMP,
    signature: DOC_SIGNATURE,
    rawBody: DOC_BODY,
    now: AT,
    ...over,
  });

describe('slackSignature', () => {
  it('signs as Slack does', () => {
    expect(slackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
  });
});

describe('verifySlackSignature', () => {
  it('accepts Slack’s own example, within five minutes either way', () => {
    expect(verify()).toEqual({ ok: true });
    expect(verify({ now: secondsLater(300) })).toEqual({ ok: true });
    expect(verify({ now: secondsLater(-300) })).toEqual({ ok: true });
  });

  it('refuses a changed body, another secret, or a timestamp the signature was not made for', () => {
    const mismatch = /^x-slack-signature does not match: the body was changed, or SLACK_SIGNING_SECRET is not/;
    expect(verify({ rawBody: DOC_BODY.replace('text=&', 'text=approve&') })).toMatchObject({ error: mismatch });
    expect(verify({ rawBody: `${DOC_BODY} ` })).toMatchObject({ ok: false, error: mismatch });
    expect(verify({ secret: `${DOC_SECRET}x` })).toMatchObject({ ok: false, error: mismatch });
    expect(verify({ timestamp: String(Number(DOC_TIMESTAMP) + 1) })).toMatchObject({ ok: false, error: mismatch });
    expect(verify({ signature: DOC_SIGNATURE.toUpperCase().replace('V0=', 'v0=') })).toMatchObject({ ok: false });
  });

  it('refuses a request older or newer than the window, naming it', () => {
    for (const seconds of [301, -301, 86_400]) {
      const verdict = verify({ now: secondsLater(seconds) });
      expect(verdict).toEqual({
        ok: false,
        error: `stale request: x-slack-request-timestamp is ${Math.abs(seconds)} s away from now, outside the 300 s window (a replayed request, or a clock that is off)`,
      });
    }
  });

  it('refuses missing and malformed headers before computing anything', () => {
    expect(verify({ timestamp: null, signature: null })).toEqual({
      ok: false,
      error: 'x-slack-request-timestamp and x-slack-signature missing: this route takes requests signed by Slack',
    });
    expect(verify({ signature: '' })).toMatchObject({ error: /^x-slack-signature missing/ });
    expect(verify({ timestamp: '1531420618.5' })).toMatchObject({
      error: 'x-slack-request-timestamp must be Unix seconds',
    });
    expect(verify({ signature: 'v1=abc' })).toMatchObject({ error: 'x-slack-signature is not a v0 signature' });
    expect(verify({ signature: `${DOC_SIGNATURE}00` })).toMatchObject({
      error: 'x-slack-signature is not a v0 signature',
    });
  });
});
