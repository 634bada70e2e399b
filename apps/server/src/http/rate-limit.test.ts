import { describe, expect, it } from 'vitest';
import { secondsToWait } from './rate-limit';

describe('secondsToWait', () => {
  const rule = { key: 'k', limit: 10, windowSeconds: 60 };

  it('is the longest wait among the rules that are over their limit', () => {
    const other = { key: 'j', limit: 5, windowSeconds: 900 };
    expect(
      secondsToWait(
        [rule, other],
        [
          { key: 'k', count: 11, retryAfter: 12 },
          { key: 'j', count: 3, retryAfter: 800 },
        ],
      ),
    ).toBe(12);
    expect(secondsToWait([rule], [{ key: 'k', count: 10, retryAfter: 30 }])).toBe(0);
  });

  it('never asks to wait longer than the window, even for a caller whose clock read came before the window began', () => {
    // The database computes the wait from the caller's clock; a concurrent caller a moment behind would get 61 s.
    expect(secondsToWait([rule], [{ key: 'k', count: 250, retryAfter: 61 }])).toBe(60);
  });
});
