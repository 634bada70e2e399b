import { translate } from '@atrium/web-kit';
import { describe, expect, it } from 'vitest';
import { de } from './de';
import { en } from './en';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('kiosk locales', () => {
  it('have exactly the same keys', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });

  it('use the same placeholders for each key', () => {
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect({ key, placeholders: placeholders(de[key]) }).toEqual({ key, placeholders: placeholders(en[key]) });
    }
  });

  it('have no empty texts', () => {
    for (const catalogue of [en, de]) {
      for (const [key, text] of Object.entries(catalogue)) {
        expect({ key, empty: text.trim() === '' }).toEqual({ key, empty: false });
      }
    }
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate(en, 'welcome.title', { name: 'Ada L.' })).toBe('Welcome, Ada L.!');
    expect(translate(de, 'welcome.title', { name: 'Ada L.' })).toBe('Willkommen, Ada L.!');
    expect(translate(en, 'welcome.title')).toBe('Welcome, {name}!');
  });
});
