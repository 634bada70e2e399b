export {
  DEFAULT_CLOCK_TOLERANCE_SEC,
  MAX_TOKEN_BYTES,
  MAX_TOKEN_INPUT_CHARS,
  QR_TOKEN_ALG,
  QR_TOKEN_TYP,
} from './constants';
export { shortDisplayName } from './display-name';
export { compactUuid, expandUuid } from './ids';
export { generateQrKeyPair, type QrKeyPair, type QrPublicJwk } from './keys';
export { type SignVisitTokenInput, signVisitToken } from './sign';
export {
  type VerifyVisitTokenOptions,
  type VerifyVisitTokenResult,
  type VisitTokenClaims,
  type VisitTokenFailure,
  verifyVisitToken,
} from './verify';
