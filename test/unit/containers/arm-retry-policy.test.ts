import { describe, expect, it } from 'vitest';
import { armErrorOf, isFinalArmError, isRetryable, retryAfterMs } from '../../../src/containers/arm-retry-policy.js';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] });
const NOW_MS = Date.parse('2026-03-01T12:00:00Z');

describe('retryAfterMs', () => {
  it('reads seconds, an HTTP date, and the millisecond headers first', () => {
    expect(retryAfterMs(headers({ 'retry-after': '7' }), NOW_MS)).toBe(7_000);
    expect(retryAfterMs(headers({ 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' }), NOW_MS)).toBe(30_000);
    expect(retryAfterMs(headers({ 'retry-after': 'Sun, 01 Mar 2026 11:00:00 GMT' }), NOW_MS)).toBe(0);
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '7' }), NOW_MS)).toBe(250);
    expect(retryAfterMs(headers({ 'x-ms-retry-after-ms': '1500' }), NOW_MS)).toBe(1_500);
  });

  it('says nothing when the answer does not, or says nonsense', () => {
    expect(retryAfterMs(headers({}), NOW_MS)).toBeNull();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), NOW_MS)).toBeNull();
  });
});

describe('which ARM refusals are worth waiting for', () => {
  it('waits on throttles, operations in progress and 5xx', () => {
    const conflict = armErrorOf('{"error":{"code":"AnotherOperationInProgress","message":"busy"}}');
    expect(isRetryable(409, conflict)).toBe(true);
    expect(isRetryable(429, armErrorOf(''))).toBe(true);
    expect(isRetryable(503, armErrorOf({ error: { code: 'ServiceUnavailable', message: 'try later' } }))).toBe(true);
    expect(isRetryable(400, armErrorOf({ error: { code: 'InvalidRequestContent', message: 'bad' } }))).toBe(false);
  });

  it('never waits on quota or an inaccessible image, whatever the status', () => {
    const quota = (code: string, message = 'no') => ({ code, message });
    expect(isFinalArmError(quota('ContainerGroupQuotaReached'))).toBe(true);
    expect(isFinalArmError(quota('ResourceQuotaExceeded'))).toBe(true);
    expect(isFinalArmError(quota('InaccessibleImage'))).toBe(true);
    // ACI's cross-region refusal: a 503-ish code, the quota in the message
    const regional = quota(
      'ServiceUnavailable',
      "Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota 'ContainerGroups' exceeded in region 'westeurope'.",
    );
    expect(isRetryable(503, regional)).toBe(false);
    expect(isRetryable(409, quota('OperationNotAllowed', 'Operation results in exceeding quota limits of Core.'))).toBe(
      false,
    );
  });
});
