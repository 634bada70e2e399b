// Ids inside a QR token are the 16 UUID bytes as unpadded base64url (22 characters) instead of 36-character strings,
// which keeps the token small enough for a low QR version (DESIGN.md §6).
//
// Both functions return null for input they reject instead of throwing: the verify path must never throw, and a
// caller that signs turns null into its own error with the field name.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// 22 characters carry 132 bits; the last one holds 2 data bits, so its 4 low bits must be zero (A, Q, g or w).
// Accepting only that spelling keeps one compact form per UUID.
const COMPACT_PATTERN = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/** Canonical UUID (any case, with hyphens) → 22-character base64url of its 16 bytes; null if not a UUID. */
export function compactUuid(uuid: string): string | null {
  if (typeof uuid !== 'string' || !UUID_PATTERN.test(uuid)) return null;
  // 128 bits padded with 4 zero bits make exactly 22 six-bit characters.
  let bits = BigInt(`0x${uuid.replaceAll('-', '')}`) << 4n;
  let out = '';
  for (let i = 0; i < 22; i++) {
    out = ALPHABET[Number(bits & 63n)]! + out;
    bits >>= 6n;
  }
  return out;
}

/** 22-character compact id → canonical lowercase UUID; null for any other length, alphabet or non-canonical form. */
export function expandUuid(compact: string): string | null {
  if (typeof compact !== 'string' || !COMPACT_PATTERN.test(compact)) return null;
  let bits = 0n;
  for (const char of compact) bits = (bits << 6n) | BigInt(ALPHABET.indexOf(char));
  const hex = (bits >> 4n).toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
