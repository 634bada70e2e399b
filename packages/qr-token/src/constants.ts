/** JWS header `typ` of a visit token; verification requires it. */
export const QR_TOKEN_TYP = 'atrium-visit+jwt';
/** The only accepted signature algorithm (Ed25519). */
export const QR_TOKEN_ALG = 'EdDSA';
/** Upper bound for a signed token, so its QR code stays at version ≤ 15 with error correction M (DESIGN.md §6). */
export const MAX_TOKEN_BYTES = 412;
/** Longer input is rejected before any parsing; real tokens are far shorter, so this only bounds work on garbage. */
export const MAX_TOKEN_INPUT_CHARS = 2048;
export const DEFAULT_CLOCK_TOLERANCE_SEC = 60;
/** `aud` is this prefix plus the compact site id. */
export const SITE_AUDIENCE_PREFIX = 'site:';
