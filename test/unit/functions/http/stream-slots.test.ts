import { describe, expect, it } from 'vitest';
import type { StreamSlot } from '../../../../src/functions/http/stream-slots.js';
import { StreamSlots } from '../../../../src/functions/http/stream-slots.js';

const take = (slots: StreamSlots, caller: string): StreamSlot => {
  const reservation = slots.reserve(caller);
  if (!reservation.ok) throw new Error(`refused: ${reservation.cap}`);
  return reservation.slot;
};

describe('stream slots', () => {
  it('refuses a caller beyond its cap, and anyone beyond the total, saying which cap', () => {
    const slots = new StreamSlots({ perCaller: 2, total: 3 });
    take(slots, 'user:alice');
    take(slots, 'user:alice');
    expect(slots.reserve('user:alice')).toEqual({ ok: false, cap: 'per-caller', limit: 2 });
    take(slots, 'user:bob');
    expect(slots.reserve('user:carol')).toEqual({ ok: false, cap: 'total', limit: 3 });
    // both caps reached: the caller's own is the one named
    expect(slots.reserve('user:alice')).toEqual({ ok: false, cap: 'per-caller', limit: 2 });
    expect(slots.size).toBe(3);
  });

  it('frees a slot once, however often it is released', () => {
    const slots = new StreamSlots({ perCaller: 2, total: 10 });
    const first = take(slots, 'user:alice');
    take(slots, 'user:alice');
    first.release();
    first.release();
    expect(slots.size).toBe(1);
    take(slots, 'user:alice');
    expect(slots.reserve('user:alice')).toMatchObject({ ok: false, cap: 'per-caller' });
  });

  it('refuses caps below one', () => {
    expect(() => new StreamSlots({ perCaller: 0, total: 1 })).toThrow('perCaller must be >= 1');
    expect(() => new StreamSlots({ perCaller: 1, total: Number.NaN })).toThrow('total must be >= 1');
  });
});
