import { describe, expect, it } from 'vitest';
import { timeLeft } from '../../../src/cli/approvals-command.js';

describe('timeLeft', () => {
  it.each([
    [30_000, 'under a minute left'],
    [42 * 60_000 + 59_000, '42 min left'],
    [119 * 60_000, '119 min left'],
    [(5 * 60 + 3) * 60_000, '5 h 3 min left'],
    [(3 * 24 + 4) * 3_600_000, '3 d 4 h left'],
  ])('shows %i ms as %s', (ms, text) => {
    expect(timeLeft(ms)).toBe(text);
  });
});
