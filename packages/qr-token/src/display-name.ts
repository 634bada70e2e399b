// Splitting by grapheme keeps accents, emoji sequences and combining marks whole when a name is shortened.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const LETTER = /\p{L}/u;

function splitGraphemes(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

/** NFC, control characters and runs of whitespace turned into single spaces, trimmed. */
export function normalizeDisplayName(name: string): string {
  return name
    .normalize('NFC')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim();
}

/**
 * "Ada King Lovelace" → "Ada L.": first given name plus the initial of the last name, for the kiosk's welcome
 * screen. A single name is returned as it is; an empty or blank name gives "". The initial is the first letter of
 * the last word that has one, upper-cased where the script has case.
 */
export function shortDisplayName(fullName: string): string {
  const words = normalizeDisplayName(fullName).split(' ').filter(Boolean);
  const first = words[0];
  if (first === undefined) return '';
  const last = words.slice(1).findLast((w) => LETTER.test(w));
  if (last === undefined) return first;
  const initial = splitGraphemes(last).find((g) => LETTER.test(g));
  return initial === undefined ? first : `${first} ${initial.toUpperCase()}.`;
}

/**
 * Drops whole graphemes from the end until the text, written as a JSON string (quotes excluded), fits in `maxBytes`
 * of UTF-8; trailing spaces go too. JSON escapes (quotes, backslashes, lone surrogates) count: the token carries them.
 */
export function truncateJsonString(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  const jsonBytes = (s: string) => encoder.encode(JSON.stringify(s)).length - 2;
  if (jsonBytes(text) <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const g of splitGraphemes(text)) {
    const size = jsonBytes(g);
    if (used + size > maxBytes) break;
    out += g;
    used += size;
  }
  return out.trimEnd();
}
