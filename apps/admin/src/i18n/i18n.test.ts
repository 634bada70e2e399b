import { describe, expect, it } from 'vitest';
import { de } from './de';
import { en } from './en';
import { pickLocale, translate } from './translate';

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
