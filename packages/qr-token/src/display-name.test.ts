import { describe, expect, it } from 'vitest';
import { shortDisplayName } from './display-name';

describe('shortDisplayName', () => {
  it.each([
    ['Ada Lovelace', 'Ada L.'],
    ['Ada King Lovelace', 'Ada L.'],
    ['  Ada \t King\n\nLovelace  ', 'Ada L.'],
    ['ada lovelace', 'ada L.'],
    ['Cher', 'Cher'],
    ['  Cher  ', 'Cher'],
    ['', ''],
    ['   ', ''],
    ['Émile Zola', 'Émile Z.'],
    ['E\u0301mile \u00e9tienne', 'Émile É.'], // decomposed input comes out NFC
    ['Łukasz żółć', 'Łukasz Ż.'],
    ['Zoë ångström', 'Zoë Å.'],
    ['Jean-Luc Picard-Smith', 'Jean-Luc P.'],
    ['Ada Lovelace 3', 'Ada L.'],
    ['Ada 3', 'Ada'],
    ['Андрей Иванов', 'Андрей И.'],
    ['山田 太郎', '山田 太.'],
    ['Ada\u00a0Lovelace', 'Ada L.'], // no-break space
    ['Ada\u0000Lovelace', 'Ada L.'], // control characters count as separators
  ])('%j → %j', (input, expected) => {
    expect(shortDisplayName(input)).toBe(expected);
  });
});
