import { ApiError } from '@atrium/web-kit';
import { describe, expect, it } from 'vitest';
import { formatRemaining, pollDelayMs, startRetryDelayMs } from './pairing';

describe('pairing helpers', () => {
  it('polls at the server interval and five seconds slower for each slow_down', () => {
    expect(pollDelayMs(5, 0)).toBe(5_000);
    expect(pollDelayMs(5, 2)).toBe(15_000);
    expect(pollDelayMs(0, 0)).toBe(1_000);
  });

  it('shows the time left as minutes and seconds, never negative', () => {
    expect(formatRemaining(600_000)).toBe('10:00');
    expect(formatRemaining(61_001)).toBe('1:02');
    expect(formatRemaining(-5)).toBe('0:00');
  });

  it('waits as long as the server asks before requesting a new code, else backs off to 30 s', () => {
    expect(startRetryDelayMs(1, new ApiError(429, 'rate_limited', 'slow', { retryAfterSeconds: 12 }))).toBe(12_000);
    expect([1, 2, 3, 4, 5, 6].map((n) => startRetryDelayMs(n, new Error('x')))).toEqual([
      2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });
});
