import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../../../src/functions/http/ttl-cache.js';

describe('TtlCache', () => {
  it('reuses an answer until it expires, and shares one computation between callers', async () => {
    let nowMs = 0;
    let computed = 0;
    const cache = new TtlCache<number>(1000, 10, () => nowMs);
    const compute = async () => ++computed;
    const [a, b] = await Promise.all([cache.get('k', compute), cache.get('k', compute)]);
    expect([a, b, computed]).toEqual([1, 1, 1]);
    nowMs = 999;
    expect(await cache.get('k', compute)).toBe(1);
    nowMs = 1000;
    expect(await cache.get('k', compute)).toBe(2);
  });

  it('forgets a failure at once and drops the oldest entry past its size', async () => {
    const cache = new TtlCache<string>(1000, 2, () => 0);
    await expect(cache.get('bad', () => Promise.reject(new Error('storage down')))).rejects.toThrow('storage down');
    expect(await cache.get('bad', async () => 'fine')).toBe('fine');
    await cache.get('b', async () => 'b');
    await cache.get('c', async () => 'c');
    expect(await cache.get('bad', async () => 'again')).toBe('again');
  });

  it('checks its options', () => {
    expect(() => new TtlCache(0, 1)).toThrow('ttlMs must be > 0, got 0');
  });
});
