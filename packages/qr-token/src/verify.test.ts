import { base64url, type JWTVerifyGetKey, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateQrKeyPair,
  type QrKeyPair,
  signVisitToken,
  type VerifyVisitTokenOptions,
  type VerifyVisitTokenResult,
  verifyVisitToken,
} from './index';
import {
  DURING_VISIT,
  decodeSegment,
  EXPIRES_AT,
  encodeSegment,
  ISSUER,
  JTI,
  keySet,
  NOT_BEFORE,
  OTHER_SITE_ID,
  SITE_ID,
  signRaw,
  VISIT_ID,
  visitInput,
} from './test-fixtures';

const INVALID: VerifyVisitTokenResult = { ok: false, reason: 'invalid_token' };
const SECOND = 1000;

let pair: QrKeyPair;
let stranger: QrKeyPair;
let token: string;

beforeAll(async () => {
  [pair, stranger] = await Promise.all([generateQrKeyPair(), generateQrKeyPair()]);
  token = await signVisitToken(visitInput(pair));
});

function options(overrides: Partial<VerifyVisitTokenOptions> = {}): VerifyVisitTokenOptions {
  return { keys: keySet(pair), issuer: ISSUER, siteId: SITE_ID, now: DURING_VISIT, ...overrides };
}

function verifyAt(candidate: string, now: Date, clockToleranceSec?: number) {
  return verifyVisitToken(
    candidate,
    options({ now, ...(clockToleranceSec === undefined ? {} : { clockToleranceSec }) }),
  );
}

/** The claims of the valid fixture token in wire form, to sign variants of it with the real key. */
function wireClaims(): Record<string, unknown> {
  return decodeSegment(token.split('.')[1]);
}

const validHeader = () => ({ kid: pair.publicJwk.kid, typ: 'atrium-visit+jwt' });

describe('verifyVisitToken', () => {
  it('round-trips a signed token to its claims', async () => {
    await expect(verifyVisitToken(token, options())).resolves.toEqual({
      ok: true,
      claims: {
        visitId: VISIT_ID,
        siteId: SITE_ID,
        jti: JTI,
        displayName: 'Ada L.',
        notBefore: NOT_BEFORE,
        expiresAt: EXPIRES_AT,
        kid: pair.publicJwk.kid,
      },
    });
  });

  it('returns canonical lowercase ids whatever case they were signed with', async () => {
    const upper = await signVisitToken(
      visitInput(pair, { visitId: VISIT_ID.toUpperCase(), jti: JTI.toUpperCase(), siteId: SITE_ID.toUpperCase() }),
    );
    const result = await verifyVisitToken(upper, options({ siteId: SITE_ID.toUpperCase() }));
    expect(result).toMatchObject({ ok: true, claims: { visitId: VISIT_ID, jti: JTI, siteId: SITE_ID } });
  });

  describe('failure reasons of a genuine token', () => {
    it('token_expired after the departure plus tolerance', async () => {
      const now = new Date(EXPIRES_AT.getTime() + 2 * 3600 * SECOND);
      await expect(verifyAt(token, now)).resolves.toEqual({ ok: false, reason: 'token_expired' });
    });

    it('token_not_yet_valid before the arrival window', async () => {
      const now = new Date(NOT_BEFORE.getTime() - 3600 * SECOND);
      await expect(verifyAt(token, now)).resolves.toEqual({
        ok: false,
        reason: 'token_not_yet_valid',
        notBefore: NOT_BEFORE,
      });
    });

    it('wrong_site at another site, even when also expired', async () => {
      await expect(verifyVisitToken(token, options({ siteId: OTHER_SITE_ID }))).resolves.toEqual({
        ok: false,
        reason: 'wrong_site',
      });
      const late = new Date(EXPIRES_AT.getTime() + 3600 * SECOND);
      await expect(verifyVisitToken(token, options({ siteId: OTHER_SITE_ID, now: late }))).resolves.toEqual({
        ok: false,
        reason: 'wrong_site',
      });
    });

    it('invalid_token, not wrong_site or token_expired, when the signature is not ours', async () => {
      const forged = await signVisitToken(visitInput(stranger, { kid: pair.publicJwk.kid }));
      await expect(verifyVisitToken(forged, options())).resolves.toEqual(INVALID);
      await expect(verifyVisitToken(forged, options({ siteId: OTHER_SITE_ID }))).resolves.toEqual(INVALID);
      await expect(verifyAt(forged, new Date(EXPIRES_AT.getTime() + 3600 * SECOND))).resolves.toEqual(INVALID);
    });
  });

  describe('clock tolerance boundaries', () => {
    const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * SECOND);

    it('accepts up to 59 s after exp and rejects from 60 s with the default 60 s tolerance', async () => {
      expect((await verifyAt(token, at(EXPIRES_AT, 59))).ok).toBe(true);
      await expect(verifyAt(token, at(EXPIRES_AT, 60))).resolves.toEqual({ ok: false, reason: 'token_expired' });
    });

    it('accepts from 60 s before nbf and rejects at 61 s before', async () => {
      expect((await verifyAt(token, at(NOT_BEFORE, -60))).ok).toBe(true);
      await expect(verifyAt(token, at(NOT_BEFORE, -61))).resolves.toMatchObject({
        ok: false,
        reason: 'token_not_yet_valid',
      });
    });

    it('honours a custom tolerance', async () => {
      expect((await verifyAt(token, at(EXPIRES_AT, -1), 0)).ok).toBe(true);
      await expect(verifyAt(token, EXPIRES_AT, 0)).resolves.toEqual({ ok: false, reason: 'token_expired' });
      expect((await verifyAt(token, at(NOT_BEFORE, -300), 300)).ok).toBe(true);
      await expect(verifyAt(token, at(NOT_BEFORE, -1), 0)).resolves.toEqual({
        ok: false,
        reason: 'token_not_yet_valid',
        notBefore: NOT_BEFORE,
      });
    });
  });

  describe('rejects as invalid_token without throwing', () => {
    const cases: Record<string, () => Promise<unknown> | unknown> = {
      'a tampered signature': () => {
        const [h, p, s] = token.split('.');
        const flipped = s!.slice(0, 40) + (s![40] === 'A' ? 'B' : 'A') + s!.slice(41);
        return `${h}.${p}.${flipped}`;
      },
      'a tampered payload': () => {
        const [h, , s] = token.split('.');
        return `${h}.${encodeSegment({ ...wireClaims(), dn: 'Eve E.' })}.${s}`;
      },
      'a payload moved to another site': () => {
        const [h, , s] = token.split('.');
        return `${h}.${encodeSegment({ ...wireClaims(), aud: 'site:CgmMfW5fSjuMLR4PmoucbQ' })}.${s}`;
      },
      'alg none with an empty signature': () => {
        const [, p] = token.split('.');
        return `${encodeSegment({ alg: 'none', ...validHeader() })}.${p}.`;
      },
      'alg none keeping the signature': () => {
        const [, p, s] = token.split('.');
        return `${encodeSegment({ alg: 'none', ...validHeader() })}.${p}.${s}`;
      },
      'HS256 with the raw public key bytes as secret': () =>
        new SignJWT(wireClaims())
          .setProtectedHeader({ alg: 'HS256', ...validHeader() })
          .sign(base64url.decode(pair.publicJwk.x)),
      'HS256 with the public JWK x string as secret': () =>
        new SignJWT(wireClaims())
          .setProtectedHeader({ alg: 'HS256', ...validHeader() })
          .sign(new TextEncoder().encode(pair.publicJwk.x)),
      'an unknown kid': () => signVisitToken(visitInput(stranger)),
      'no kid': () => signRaw(pair.privateKey, { typ: 'atrium-visit+jwt' }, wireClaims()),
      'typ JWT': () => signRaw(pair.privateKey, { ...validHeader(), typ: 'JWT' }, wireClaims()),
      'no typ': () => signRaw(pair.privateKey, { kid: pair.publicJwk.kid }, wireClaims()),
      'an unknown critical header': () =>
        signRaw(pair.privateKey, { ...validHeader(), crit: ['atrium'], atrium: 1 }, wireClaims()),
      'another issuer': () => signVisitToken(visitInput(pair, { issuer: 'atrium-staging' })),
      'nbf as a string': () => signRaw(pair.privateKey, validHeader(), { ...wireClaims(), nbf: '1741596300' }),
      'exp missing': () => signRaw(pair.privateKey, validHeader(), { ...wireClaims(), exp: undefined }),
      'dn missing': () => signRaw(pair.privateKey, validHeader(), { ...wireClaims(), dn: undefined }),
      'dn as a number': () => signRaw(pair.privateKey, validHeader(), { ...wireClaims(), dn: 42 }),
      'sub as a full UUID': () => signRaw(pair.privateKey, validHeader(), { ...wireClaims(), sub: VISIT_ID }),
      'jti as a number': () => signRaw(pair.privateKey, validHeader(), { ...wireClaims(), jti: 7 }),
      'aud as an array': () =>
        signRaw(pair.privateKey, validHeader(), { ...wireClaims(), aud: [wireClaims().aud, 'site:other'] }),
      'a payload that is not an object': () => signRaw(pair.privateKey, validHeader(), ['not', 'claims']),
      garbage: () => 'this is not a token',
      'three empty segments': () => '..',
      'three junk segments': () => 'a.b.c',
      'an empty string': () => '',
      'a 10 KB string': () => 'A'.repeat(10_240),
      'a real token padded past the input cap': () => `${token}${'A'.repeat(2048)}`,
      null: () => null,
      undefined: () => undefined,
      'a number': () => 42,
      'an object': () => ({ token }),
      'the token as bytes': () => new TextEncoder().encode(token),
    };

    it.each(Object.keys(cases))('%s', async (name) => {
      const candidate = await cases[name]!();
      await expect(verifyVisitToken(candidate as string, options())).resolves.toEqual(INVALID);
    });

    it('a malformed key set, a failing resolver or a bad site id', async () => {
      const broken = { keys: 'nope' } as unknown as VerifyVisitTokenOptions['keys'];
      const privateSet = { keys: [{ ...pair.publicJwk, d: 'AAAA' }] };
      const failing: JWTVerifyGetKey = () => {
        throw new Error('key store offline');
      };
      await expect(verifyVisitToken(token, options({ keys: broken }))).resolves.toEqual(INVALID);
      await expect(verifyVisitToken(token, options({ keys: privateSet }))).resolves.toEqual(INVALID);
      await expect(verifyVisitToken(token, options({ keys: failing }))).resolves.toEqual(INVALID);
      await expect(verifyVisitToken(token, options({ siteId: 'site-1' }))).resolves.toEqual(INVALID);
    });
  });

  it('accepts a key resolver instead of a key set', async () => {
    const resolver: JWTVerifyGetKey = async (header) => {
      if (header.kid !== pair.publicJwk.kid) throw new Error('unknown kid');
      return pair.publicJwk;
    };
    expect(await verifyVisitToken(token, options({ keys: resolver }))).toMatchObject({ ok: true });
    const foreign = await signVisitToken(visitInput(stranger));
    await expect(verifyVisitToken(foreign, options({ keys: resolver }))).resolves.toEqual(INVALID);
  });

  it('verifies tokens of every kid in a rotated key set, and none of a removed key', async () => {
    const next = await generateQrKeyPair();
    const rotated = keySet(pair, next);
    const newToken = await signVisitToken(visitInput(next));

    const oldResult = await verifyVisitToken(token, options({ keys: rotated }));
    const newResult = await verifyVisitToken(newToken, options({ keys: rotated }));
    expect(oldResult).toMatchObject({ ok: true, claims: { kid: pair.publicJwk.kid } });
    expect(newResult).toMatchObject({ ok: true, claims: { kid: next.publicJwk.kid } });

    await expect(verifyVisitToken(token, options({ keys: keySet(next) }))).resolves.toEqual(INVALID);
  });
});
