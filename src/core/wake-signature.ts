import type { SignedHeaderCheck } from './signed-header.js';
import { checkSignedHeader, SIGNED_HEADER_WINDOW_MS, signHeader } from './signed-header.js';

/**
 * A wake-up nudge's proof that the Functions app sent it: `v1.<unix ms>.<nonce>.<signature>` in the
 * `x-cloudo-wake` header, the signature an HMAC-SHA256 with `CLOUDO_WAKE_KEY` of the version, the
 * capability woken, the moment and the nonce (signed-header.ts). A nudge only makes a worker poll its
 * queue now, so what this guards is a worker's storage bill, not its runs: a stranger cannot make workers
 * poll in a loop.
 */
export const WAKE_HEADER = 'x-cloudo-wake';

/** How far a nudge's moment may be from the worker's clock, either way (clock skew plus transit). */
export const WAKE_WINDOW_MS = SIGNED_HEADER_WINDOW_MS;

// capabilities name queues case-insensitively (resource-names.ts): sign the one spelling both sides agree on
const wakeFields = (capability: string) => [capability.toLowerCase()];

/** The header value of a nudge to a worker serving `capability`, made at `now`. */
export function wakeToken(key: string, capability: string, now: number = Date.now()): string {
  return signHeader(key, wakeFields(capability), now);
}

export type WakeCheck = SignedHeaderCheck;

/** Whether `presented` is a fresh nudge for `capability` signed with `key` (constant-time compare). */
export function checkWakeToken(
  key: string,
  capability: string,
  presented: string | undefined,
  now: number = Date.now(),
): WakeCheck {
  return checkSignedHeader(key, wakeFields(capability), presented, now);
}

/**
 * The nonces of the nudges accepted within the window, so a captured nudge replayed within it is refused;
 * bounded, because a flood of valid nudges must not grow a worker's memory (beyond the bound the oldest
 * nonces go, which at worst lets a replay cost one extra poll).
 */
export class WakeReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 4096) {}

  /** True the first time a nonce is seen within the window; false for a replay. */
  admit(nonce: string, at: number, now: number = Date.now()): boolean {
    for (const [n, expiresAt] of this.seen) {
      // insertion order is nearly time order: stop at the first that is still live
      if (expiresAt > now && this.seen.size < this.maxEntries) break;
      this.seen.delete(n);
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, at + WAKE_WINDOW_MS);
    return true;
  }
}
