import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, otpauthUri, totpStep, verifyTotp } from './totp';

// RFC 6238 Appendix B: SHA-1 seed "12345678901234567890", 8-digit values; the last 6 digits are the 6-digit codes.
const rfcSecret = Buffer.from('12345678901234567890');
const vectors: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(vectors)('matches the RFC test vector at T=%i', (seconds, eight) => {
    expect(hotp(rfcSecret, totpStep(new Date(seconds * 1000)))).toBe(eight.slice(2));
  });

  it('accepts the previous, current and next step and nothing further', () => {
    const secret = base32Encode(rfcSecret);
    const now = new Date(1111111111 * 1000);
    const step = totpStep(now);
    for (const delta of [-1, 0, 1]) {
      expect(verifyTotp(secret, hotp(rfcSecret, step + delta), now)).toBe(step + delta);
    }
    for (const delta of [-2, 2]) expect(verifyTotp(secret, hotp(rfcSecret, step + delta), now)).toBeUndefined();
    for (const junk of ['', '12345', '1234567', 'abcdef', '12 456'])
      expect(verifyTotp(secret, junk, now)).toBeUndefined();
  });

  it('round-trips base32 and builds an otpauth URI apps understand', () => {
    expect(base32Decode(base32Encode(rfcSecret))).toEqual(rfcSecret);
    expect(base32Encode(rfcSecret)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(otpauthUri('GEZDGNBV', 'ada@example.com')).toBe(
      'otpauth://totp/Atrium:ada%40example.com?secret=GEZDGNBV&issuer=Atrium&algorithm=SHA1&digits=6&period=30',
    );
  });
});
