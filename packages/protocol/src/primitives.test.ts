import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { loginRequestSchema } from './auth';
import { scanRequestSchema } from './kiosk';
import { email, int, queryInt, secret, text, timestamp, token } from './primitives';
import { createVisitSchema, listVisitsQuerySchema } from './visits';

const accepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
const messageOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]!.message;
};

describe('text', () => {
  const name = text({ max: 20 });

  it('takes what people type, trimmed, including any script and emoji', () => {
    expect(name.parse('  Ada Lovelace ')).toBe('Ada Lovelace');
    expect(accepts(name, 'Zoë Ørsted-Łukasz')).toBe(true);
    expect(accepts(name, '李小龍 👩‍💻')).toBe(true);
  });

  it('refuses NUL and every other control character, and line breaks in single-line text', () => {
    for (const value of ['\u0000', 'Ada\u0000', 'a\u0007', 'a\u001b[31m', 'a\u007f', 'a\u0085', 'a\nb', 'a\tb']) {
      expect(accepts(name, value), JSON.stringify(value)).toBe(false);
    }
    const notes = text({ max: 20, multiline: true });
    expect(accepts(notes, 'line 1\nline 2\r\n\tend')).toBe(true);
    expect(accepts(notes, 'line\u0000')).toBe(false);
  });

  it('refuses lone surrogates (not well-formed UTF-16), whichever half', () => {
    for (const value of ['\uD800', 'a\uDC00b', '\uDC00\uD800', 'x\uDBFF']) {
      expect(messageOf(name, value), JSON.stringify(value)).toBe('must be valid Unicode text');
    }
  });

  it('bounds the length and requires content unless told otherwise', () => {
    expect(messageOf(name, 'x'.repeat(21))).toBe('must be at most 20 characters');
    expect(messageOf(name, '   ')).toBe('is required');
    expect(text({ max: 5, min: 0 }).parse(' ')).toBe('');
    expect(messageOf(name, 42)).toBe('must be text');
    expect(messageOf(name, undefined)).toBe('is required');
  });
});

it('secrets keep their spaces but still refuse NUL and lone surrogates', () => {
  const password = secret({ max: 100 });
  expect(password.parse(' spaced pass ')).toBe(' spaced pass ');
  expect(accepts(password, 'pass\u0000word')).toBe(false);
  expect(accepts(password, 'pass\uD800')).toBe(false);
});

it('tokens are printable ASCII', () => {
  expect(accepts(token({ max: 100 }), 'eyJhbGciOiJFZERTQSJ9.e30.sig-_~')).toBe(true);
  for (const value of ['', 'a b', 'a\u0000', 'ä', 'x'.repeat(101)])
    expect(accepts(token({ max: 100 }), value)).toBe(false);
});

describe('timestamp', () => {
  const at = timestamp('arrival');

  it('takes ISO 8601 with a zone and keeps the string', () => {
    expect(at.parse('2026-11-23T09:00:00Z')).toBe('2026-11-23T09:00:00Z');
    expect(accepts(at, '2026-11-23T09:00:00.123+01:00')).toBe(true);
    expect(accepts(at, '9999-12-31T23:59:59Z')).toBe(true);
    expect(accepts(at, '1970-01-01T00:00:00Z')).toBe(true);
  });

  it('refuses years PostgreSQL or JS would choke on, and times without a zone', () => {
    for (const value of [
      '0000-01-01T00:00:00Z',
      '10000-01-01T00:00:00Z',
      '+010000-01-01T00:00:00Z',
      '-000001-01-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      '1970-01-01T00:30:00+01:00',
      '9999-12-31T23:00:00-05:00',
      '2026-11-23T09:00:00',
      '2026-02-30T09:00:00Z',
      '2026-11-23',
      1_700_000_000_000,
      'x'.repeat(100),
    ]) {
      expect(accepts(at, value), JSON.stringify(value)).toBe(false);
    }
    expect(messageOf(at, '0000-01-01T00:00:00Z')).toBe('must be between the years 1970 and 9999');
  });
});

it('emails are trimmed, lower-cased, bounded and free of control characters', () => {
  expect(email().parse(' Ada@Example.TEST ')).toBe('ada@example.test');
  for (const value of ['ada\u0000@example.test', 'ada@example.test\uD800', 'not an email', `${'a'.repeat(320)}@x.de`]) {
    expect(accepts(email(), value), value.slice(0, 20)).toBe(false);
  }
});

it('numbers are finite whole numbers in range; query numbers are plain digits', () => {
  const hours = int({ min: 1, max: 100 });
  for (const value of [1e308, -1, 2 ** 63, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '5', null]) {
    expect(accepts(hours, value), String(value)).toBe(false);
  }
  const limit = queryInt({ min: 1, max: 200 });
  expect(limit.parse('50')).toBe(50);
  for (const value of ['1e2', '0x10', ' 5', '', 'Infinity', '9223372036854775808', '-1', ['1', '2']]) {
    expect(accepts(limit, value), String(value)).toBe(false);
  }
});

it('the request schemas use them: NUL, lone surrogates and year 0 are refused where they used to reach the database', () => {
  expect(accepts(loginRequestSchema, { email: 'ada\u0000@example.test', password: 'x' })).toBe(false);
  expect(accepts(loginRequestSchema, { email: 'ada@example.test', password: '\uD800' })).toBe(false);
  const visit = {
    siteId: '7d3f8a2e-5b1c-4e8f-9a6d-2c4b8e1f0a93',
    visitor: { name: 'Ada' },
    expectedArrival: '2026-11-23T09:00:00Z',
    expectedDeparture: '2026-11-23T17:00:00Z',
  };
  expect(accepts(createVisitSchema, visit)).toBe(true);
  expect(accepts(createVisitSchema, { ...visit, visitor: { name: 'Ada', company: 'ACME\u0000' } })).toBe(false);
  expect(accepts(createVisitSchema, { ...visit, expectedArrival: '0000-01-01T00:00:00Z' })).toBe(false);
  expect(accepts(listVisitsQuerySchema, { q: '\u0000' })).toBe(false);
  expect(accepts(listVisitsQuerySchema, { from: '0000-01-01T00:00:00Z' })).toBe(false);
  expect(
    accepts(scanRequestSchema, {
      token: 'a.b.c',
      idempotencyKey: '7d3f8a2e-5b1c-4e8f-9a6d-2c4b8e1f0a93',
      occurredAt: '10000-01-01T00:00:00Z',
    }),
  ).toBe(false);
});
