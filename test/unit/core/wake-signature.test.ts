import { describe, expect, it } from 'vitest';
import { checkWakeToken, WAKE_WINDOW_MS, WakeReplayGuard, wakeToken } from '../../../src/core/wake-signature.js';

const KEY = 'wake-key-0123456789abcdefghijklmnopqrstuvwxyz';
const NOW = Date.parse('2026-12-06T10:00:00Z');

describe('wake-up nudge signature', () => {
  it('accepts a fresh nudge for the capability, whatever its case', () => {
    const token = wakeToken(KEY, 'Runbook', NOW);
    expect(checkWakeToken(KEY, 'Runbook', token, NOW + 1_000)).toMatchObject({ ok: true, at: NOW });
    expect(checkWakeToken(KEY, 'runbook', token, NOW).ok).toBe(true);
  });

  it('refuses a missing, malformed, foreign, misdirected, tampered or stale nudge, saying which', () => {
    const token = wakeToken(KEY, 'Runbook', NOW);
    const reason = (presented: string | undefined, key = KEY, capability = 'Runbook', now = NOW) => {
      const check = checkWakeToken(key, capability, presented, now);
      return check.ok ? 'ok' : check.reason;
    };
    expect(reason(undefined)).toBe('missing');
    expect(reason('')).toBe('missing');
    expect(reason('Bearer x')).toBe('malformed');
    expect(reason(`${token}x`)).toBe('malformed');
    expect(reason(token, 'another-key-0123456789abcdefghijklmnopqrst')).toBe('bad-signature');
    expect(reason(token, KEY, 'Nightly')).toBe('bad-signature');
    // the moment is signed: moving it forward breaks the signature
    expect(reason(token.replace(`v1.${NOW}.`, `v1.${NOW + 1}.`))).toBe('bad-signature');
    expect(reason(token, KEY, 'Runbook', NOW + WAKE_WINDOW_MS + 1)).toBe('expired');
    expect(reason(token, KEY, 'Runbook', NOW - WAKE_WINDOW_MS - 1)).toBe('expired');
  });

  it('gives every nudge its own nonce, and the replay guard admits each once within the window', () => {
    const guard = new WakeReplayGuard();
    const a = checkWakeToken(KEY, 'Runbook', wakeToken(KEY, 'Runbook', NOW), NOW);
    const b = checkWakeToken(KEY, 'Runbook', wakeToken(KEY, 'Runbook', NOW), NOW);
    if (!a.ok || !b.ok) throw new Error('fresh nudges refused');
    expect(a.nonce).not.toBe(b.nonce);
    expect(guard.admit(a.nonce, a.at, NOW)).toBe(true);
    expect(guard.admit(a.nonce, a.at, NOW + 10)).toBe(false);
    expect(guard.admit(b.nonce, b.at, NOW + 10)).toBe(true);
  });

  it('keeps a bounded memory of nonces', () => {
    const guard = new WakeReplayGuard(10);
    for (let i = 0; i < 1_000; i++) expect(guard.admit(`n${i}`, NOW, NOW)).toBe(true);
    expect((guard as unknown as { seen: Map<string, number> }).seen.size).toBeLessThanOrEqual(10);
  });
});
