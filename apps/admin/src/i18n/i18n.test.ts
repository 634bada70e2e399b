import { ERROR_CODES } from '@atrium/protocol';
import { translate } from '@atrium/web-kit';
import { describe, expect, it } from 'vitest';
import { de } from './de';
import { en } from './en';
import { ADMIN_ERROR_CODES, errorKey, NOT_FOR_ADMIN } from './errors';
import { pickLocale } from './locale';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('locales', () => {
  it('have exactly the same keys', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });

  it('use the same placeholders for each key, so no value goes missing in one language', () => {
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect({ key, placeholders: placeholders(de[key]) }).toEqual({ key, placeholders: placeholders(en[key]) });
    }
  });

  it('have no empty texts', () => {
    for (const catalogue of [en, de]) {
      for (const [key, text] of Object.entries(catalogue))
        expect({ key, empty: text.trim() === '' }).toEqual({ key, empty: false });
    }
  });
});

describe('error messages', () => {
  it('have a sentence in each language for every code the admin can receive', () => {
    for (const code of ADMIN_ERROR_CODES) {
      for (const [locale, catalogue] of Object.entries({ en, de })) {
        const text = catalogue[errorKey(code)];
        expect({ code, locale, text: typeof text === 'string' && text.length > 10 }).toEqual({
          code,
          locale,
          text: true,
        });
      }
    }
  });

  it('leave out only codes of the kiosk and agent endpoints, and those on purpose', () => {
    expect([...ADMIN_ERROR_CODES, ...NOT_FOR_ADMIN].sort()).toEqual([...ERROR_CODES].sort());
    for (const code of NOT_FOR_ADMIN) expect(`errors.${code}` in en).toBe(false);
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate(en, 'visit.checkedInOk', { name: 'Ada' })).toBe('Ada is checked in.');
    expect(translate(de, 'visit.checkedInOk', { name: 'Ada' })).toBe('Ada ist eingecheckt.');
    expect(translate(en, 'visit.checkedInOk')).toBe('{name} is checked in.');
  });
});

describe('pickLocale', () => {
  it('prefers a saved choice, then the browser languages, then English', () => {
    expect(pickLocale('de', ['en-US'])).toBe('de');
    expect(pickLocale(null, ['fr-FR', 'de-AT', 'en'])).toBe('de');
    expect(pickLocale('xx', ['fr'])).toBe('en');
  });
});
