import { describe, expect, it } from 'vitest';
import { localeFromLanguages, translate } from './translate';

const messages = { greet: 'Hello, {name}! You are {age}.', plain: 'No placeholders.' };

describe('translate', () => {
  it('fills placeholders, numbers included, and leaves unknown ones visible', () => {
    expect(translate(messages, 'greet', { name: 'Ada', age: 36 })).toBe('Hello, Ada! You are 36.');
    expect(translate(messages, 'greet', { name: 'Ada' })).toBe('Hello, Ada! You are {age}.');
    expect(translate(messages, 'plain')).toBe('No placeholders.');
  });
});

describe('localeFromLanguages', () => {
  it('takes the first browser language we have, by its base, else English', () => {
    expect(localeFromLanguages(['fr-FR', 'de-AT', 'en'])).toBe('de');
    expect(localeFromLanguages(['EN-us'])).toBe('en');
    expect(localeFromLanguages(['fr', 'it'])).toBe('en');
    expect(localeFromLanguages([])).toBe('en');
  });
});
