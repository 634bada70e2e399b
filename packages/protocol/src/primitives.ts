import { z } from 'zod';

/**
 * The building blocks every request schema uses instead of a raw `z.string()` or `z.iso.datetime()`, so hostile input
 * (NUL, control characters, lone surrogates, dates PostgreSQL or JS cannot hold, unbounded numbers) is a 400 naming the
 * field, never a database error.
 */

// Cc = the C0 controls, DEL and the C1 block; tab, LF and CR are allowed only in multi-line text.
const CONTROL = /\p{Cc}/u;
const CONTROL_MULTILINE = /[^\P{Cc}\t\n\r]/u;
// With the `u` flag a proper surrogate pair is one code point, so only a lone half matches.
const LONE_SURROGATE = /\p{Cs}/u;

export const isWellFormedText = (value: string) => !LONE_SURROGATE.test(value);

interface TextOptions {
  max: number;
  /** Minimum length after trimming; 1 unless said otherwise (an empty name is not a name). */
  min?: number;
  /** Allow tab, newline and carriage return (notes, addresses). Single-line by default. */
  multiline?: boolean;
  /** Trim surrounding white space before the length checks (default true). */
  trim?: boolean;
}

/** Text a person typed: well-formed Unicode, no control characters, bounded. */
export function text({ max, min = 1, multiline = false, trim = true }: TextOptions) {
  const base = z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
    .max(max, `must be at most ${max} characters`)
    .refine((value) => isWellFormedText(value), 'must be valid Unicode text')
    .refine(
      (value) => !(multiline ? CONTROL_MULTILINE : CONTROL).test(value),
      multiline ? 'must not contain control characters' : 'must not contain control characters or line breaks',
    );
  const trimmed = trim ? base.trim() : base;
  return min > 0 ? trimmed.min(min, min === 1 ? 'is required' : `must be at least ${min} characters`) : trimmed;
}

/**
 * A secret or opaque value kept as given (passwords, recovery codes): no trimming, any printable character, but no NUL
 * or other control characters and no lone surrogates (they would be hashed as U+FFFD and collide).
 */
export function secret({ max, min = 1 }: { max: number; min?: number }) {
  return text({ max, min, trim: false });
}

/** A token the server issued (JWT, refresh token, device code): printable ASCII only. */
export function token({ max }: { max: number }) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[\x21-\x7e]+$/, 'is not a token this server issued');
}

/** A UUID naming a row (site, user, visit, ...). */
export const id = (what = 'an id') => z.uuid(`must be ${what}`);

/** An email address, trimmed and lower-cased. */
export const email = () => text({ max: 320 }).toLowerCase().pipe(z.email('must be an email address'));

/** The earliest and latest instants the API accepts: inside both PostgreSQL `timestamptz` and JS `Date`. */
export const TIMESTAMP_MIN = Date.UTC(1970, 0, 1);
export const TIMESTAMP_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An ISO 8601 time with a time zone (`Z` or `+01:00`), between 1970 and 9999 (UTC). Stays a string. */
export function timestamp(what?: string) {
  const message = `must be an ISO 8601 time with a time zone, e.g. 2026-11-23T09:00:00Z${what ? ` (${what})` : ''}`;
  return z.iso
    .datetime({ offset: true, error: (issue) => (issue.input === undefined ? 'is required' : message) })
    .max(64, message)
    .refine((value) => {
      const ms = Date.parse(value);
      return Number.isFinite(ms) && ms >= TIMESTAMP_MIN && ms <= TIMESTAMP_MAX;
    }, 'must be between the years 1970 and 9999');
}

/** A whole number in a range (JSON body). */
export const int = ({ min, max }: { min: number; max: number }) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** A whole number in a range from a query string: digits only (no `1e3`, `0x10`, `Infinity` or blanks). */
export const queryInt = ({ min, max }: { min: number; max: number }) =>
  z
    .string({ error: 'must be a whole number' })
    .regex(/^-?\d{1,16}$/, 'must be a whole number')
    .transform(Number)
    .pipe(int({ min, max }));

/** A yes/no flag. */
export const flag = () => z.boolean({ error: 'must be true or false' });

/** An https:// URL (webhooks: never plain HTTP). */
export const httpsUrl = () =>
  text({ max: 2000 }).pipe(
    z.url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'must be an https:// URL' }),
  );

/** The languages emails and the apps speak. */
export const LANGUAGES = ['en', 'de'] as const;
export const languageSchema = z.enum(LANGUAGES, { error: 'must be en or de' });
