import { describe, expect, it } from 'vitest';
import { dayRange, formatDuration, instantToWallTime, nextQuarterHour, relativeTime, wallTimeToInstant } from './time';

describe('wall time in a site time zone', () => {
  it('converts both ways, in winter and in summer time', () => {
    expect(wallTimeToInstant('2026-01-15T09:00', 'Europe/Berlin').toISOString()).toBe('2026-01-15T08:00:00.000Z');
    expect(wallTimeToInstant('2026-07-15T09:00', 'Europe/Berlin').toISOString()).toBe('2026-07-15T07:00:00.000Z');
    expect(wallTimeToInstant('2026-07-15T09:00', 'America/New_York').toISOString()).toBe('2026-07-15T13:00:00.000Z');
    expect(instantToWallTime(Date.parse('2026-07-15T07:00:00Z'), 'Europe/Berlin')).toBe('2026-07-15T09:00');
    expect(instantToWallTime(Date.parse('2026-07-15T07:00:00Z'), 'UTC')).toBe('2026-07-15T07:00');
  });

  it('moves a time that does not exist (clocks jump forward) to a real instant', () => {
    // 02:30 on 29 March 2026 does not exist in Berlin.
    const instant = wallTimeToInstant('2026-03-29T02:30', 'Europe/Berlin');
    expect(Number.isNaN(instant.getTime())).toBe(false);
    expect(['2026-03-29T01:30', '2026-03-29T03:30']).toContain(instantToWallTime(instant, 'Europe/Berlin'));
  });

  it('rejects text that is not a datetime-local value', () => {
    expect(Number.isNaN(wallTimeToInstant('', 'UTC').getTime())).toBe(true);
  });

  it('finds the local day around an instant, across the month end', () => {
    const range = dayRange(Date.parse('2026-01-31T23:30:00Z'), 'Europe/Berlin');
    expect(range.from.toISOString()).toBe('2026-01-31T23:00:00.000Z');
    expect(range.to.toISOString()).toBe('2026-02-01T23:00:00.000Z');
  });

  it('rounds up to the next quarter hour', () => {
    expect(new Date(nextQuarterHour(Date.parse('2026-01-15T09:01:00Z'))).toISOString()).toBe(
      '2026-01-15T09:15:00.000Z',
    );
    expect(new Date(nextQuarterHour(Date.parse('2026-01-15T09:15:00Z'))).toISOString()).toBe(
      '2026-01-15T09:15:00.000Z',
    );
  });
});

describe('relativeTime and formatDuration', () => {
  const now = Date.parse('2026-01-15T12:00:00Z');
  it('says how long ago, in the chosen language', () => {
    expect(relativeTime(null, now, 'en')).toBeNull();
    expect(relativeTime('2026-01-15T11:59:50Z', now, 'en')).toBe('now');
    expect(relativeTime('2026-01-15T11:55:00Z', now, 'en')).toBe('5 minutes ago');
    expect(relativeTime('2026-01-15T09:00:00Z', now, 'de')).toBe('vor 3 Stunden');
    expect(relativeTime('2026-01-13T12:00:00Z', now, 'en')).toBe('2 days ago');
  });

  it('gives an uptime as its two largest units', () => {
    expect(formatDuration(42, 'en')).toBe('42s');
    expect(formatDuration(3 * 3600 + 5 * 60, 'en')).toBe('3h 5m');
    expect(formatDuration(2 * 86400 + 3600, 'en')).toBe('2d 1h');
    expect(formatDuration(2 * 86400, 'en')).toBe('2d');
  });
});
