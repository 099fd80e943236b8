import { describe, expect, it } from 'vitest';
import { uidShare } from '../../../src/local/stack.js';

describe('the local stack shares a runbook uid range out between its workers', () => {
  it('gives each worker a slice of its own, none overlapping', () => {
    expect([0, 1, 2].map((i) => uidShare('47000-47063', i, 3))).toEqual(['47000-47020', '47021-47041', '47042-47062']);
    expect(uidShare('47000-47063', 0, 1)).toBe('47000-47063');
  });
});
