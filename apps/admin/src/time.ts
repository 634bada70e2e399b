/** Date helpers for times shown and entered in a site's own time zone (not the browser's). */

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function zonedParts(instant: number, timeZone: string) {
  let format = partsFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
}

/** How far the zone's wall clock is ahead of UTC at this instant, in ms. */
function zoneOffset(instant: number, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const wallAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wallAsUtc - Math.floor(instant / 1000) * 1000;
}

/** `2026-11-23T09:00` on the wall clock of `timeZone` → the instant. Gaps (DST spring-forward) move forward. */
export function wallTimeToInstant(wall: string, timeZone: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(wall);
  if (!match) return new Date(Number.NaN);
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = zoneOffset(guess, timeZone);
  const instant = guess - first;
  const second = zoneOffset(instant, timeZone);
  return new Date(second === first ? instant : guess - second);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The instant as `YYYY-MM-DDTHH:mm` on the wall clock of `timeZone` (the value of an <input type=datetime-local>). */
export function instantToWallTime(instant: Date | number, timeZone: string): string {
  const p = zonedParts(typeof instant === 'number' ? instant : instant.getTime(), timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** Start and end of the calendar day that contains `now` in `timeZone`. */
export function dayRange(now: Date | number, timeZone: string): { from: Date; to: Date } {
  const today = instantToWallTime(now, timeZone).slice(0, 10);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  const tomorrow = `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
  return { from: wallTimeToInstant(`${today}T00:00`, timeZone), to: wallTimeToInstant(`${tomorrow}T00:00`, timeZone) };
}

/** Rounds up to the next quarter hour: a sensible default arrival. */
export function nextQuarterHour(now: number): number {
  const quarter = 15 * 60_000;
  return Math.ceil(now / quarter) * quarter;
}

/** "5 minutes ago", "vor 3 Stunden"; null → null so callers can say "never". */
export function relativeTime(iso: string | null, now: number, locale: string): string | null {
  if (!iso) return null;
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 45) return format.format(0, 'second');
  if (abs < 45 * 60) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86400), 'day');
}

/** Uptime as its two largest units, e.g. "3d 4h" / "3 T 4 Std.". */
export function formatDuration(totalSeconds: number, locale: string): string {
  const units: Array<[Intl.NumberFormatOptions['unit'], number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  let rest = Math.max(0, Math.floor(totalSeconds));
  const out: string[] = [];
  for (const [unit, size] of units) {
    const value = Math.floor(rest / size);
    rest -= value * size;
    if (value > 0 || (out.length === 0 && unit === 'second')) {
      out.push(new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'narrow' }).format(value));
    }
    if (out.length === 2) break;
    if (out.length === 1 && value === 0) break;
  }
  return out.join(' ');
}
