import { KeyObject } from 'node:crypto';
import { exportJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateQrKeyPair, MAX_TOKEN_BYTES, type QrKeyPair, signVisitToken, verifyVisitToken } from './index';
import {
  DURING_VISIT,
  decodeSegment,
  EXPIRES_AT,
  ISSUER,
  JTI,
  keySet,
  NOT_BEFORE,
  SITE_ID,
  VISIT_ID,
  visitInput,
} from './test-fixtures';

let pair: QrKeyPair;
beforeAll(async () => {
  pair = await generateQrKeyPair();
});

async function verifiedName(token: string): Promise<string | undefined> {
  const result = await verifyVisitToken(token, {
    keys: keySet(pair),
    issuer: ISSUER,
    siteId: SITE_ID,
    now: DURING_VISIT,
  });
  return result.ok ? result.claims.displayName : undefined;
}

describe('generateQrKeyPair', () => {
  it('returns a public Ed25519 JWK ready for the JWKS and an extractable private key', async () => {
    const { publicJwk, privateKey } = pair;
    expect(Object.keys(publicJwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(publicJwk.kid).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(privateKey.type).toBe('private');
    expect((await exportJWK(privateKey)).d).toEqual(expect.any(String));
  });

  it('gives each key its own kid', async () => {
    const other = await generateQrKeyPair();
    expect(other.publicJwk.kid).not.toBe(pair.publicJwk.kid);
  });
});

describe('signVisitToken', () => {
  it('writes the header and exactly the compact claims of DESIGN.md §6', async () => {
    const token = await signVisitToken(visitInput(pair));
    const [header, payload, signature] = token.split('.');
    expect(decodeSegment(header)).toEqual({ alg: 'EdDSA', kid: pair.publicJwk.kid, typ: 'atrium-visit+jwt' });
    expect(decodeSegment(payload)).toEqual({
      iss: ISSUER,
      aud: `site:${Buffer.from(SITE_ID.replaceAll('-', ''), 'hex').toString('base64url')}`,
      sub: Buffer.from(VISIT_ID.replaceAll('-', ''), 'hex').toString('base64url'),
      jti: Buffer.from(JTI.replaceAll('-', ''), 'hex').toString('base64url'),
      nbf: NOT_BEFORE.getTime() / 1000,
      exp: EXPIRES_AT.getTime() / 1000,
      dn: 'Ada L.',
    });
    expect(signature).toHaveLength(86);
  });

  it(`keeps a realistic token within ${MAX_TOKEN_BYTES} bytes`, async () => {
    const token = await signVisitToken(visitInput(pair, { displayName: 'Maximilian-Alexander W.' }));
    expect(new TextEncoder().encode(token).length).toBeLessThanOrEqual(MAX_TOKEN_BYTES);
    expect(await verifiedName(token)).toBe('Maximilian-Alexander W.');
  });

  it('cuts a long display name at whole characters so the token still fits, and no shorter than needed', async () => {
    const ascii = await signVisitToken(visitInput(pair, { displayName: 'Bartholomew-Maximilian Featherstonehaugh' }));
    // Each base64url character holds 6 bits, so the largest fitting name leaves at most one character unused.
    expect(ascii.length).toBeGreaterThanOrEqual(MAX_TOKEN_BYTES - 1);
    expect(ascii.length).toBeLessThanOrEqual(MAX_TOKEN_BYTES);
    expect('Bartholomew-Maximilian Featherstonehaugh'.startsWith((await verifiedName(ascii))!)).toBe(true);

    for (const name of [
      '👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦',
      '山田太郎山田太郎山田太郎山田太郎山田太郎山田太郎',
      '"Ada" \\ "Lovelace" \\ "Byron" \\ "King" \\ "Noel"',
      'Zoë Ångström-Øster Ærø Ðåëïöü Zoë Ångström',
      `Ada ${'\ud800'.repeat(20)}`,
    ]) {
      const token = await signVisitToken(visitInput(pair, { displayName: name }));
      expect(token.length, name).toBeLessThanOrEqual(MAX_TOKEN_BYTES);
      const shown = await verifiedName(token);
      expect(shown, name).toBeDefined();
      expect(name.startsWith(shown!), name).toBe(true);
    }
  });

  it('normalizes whitespace and control characters in the display name', async () => {
    const token = await signVisitToken(visitInput(pair, { displayName: '  Ada\t\u0007 L. \n' }));
    expect(await verifiedName(token)).toBe('Ada L.');
  });

  it('accepts the private key as a JWK or a Node KeyObject', async () => {
    const privateJwk = await exportJWK(pair.privateKey);
    const asJwk = await signVisitToken(visitInput(pair, { privateKey: privateJwk }));
    const asKeyObject = await signVisitToken(visitInput(pair, { privateKey: KeyObject.from(pair.privateKey) }));
    expect(await verifiedName(asJwk)).toBe('Ada L.');
    expect(await verifiedName(asKeyObject)).toBe('Ada L.');
  });

  it('refuses input that would make a broken or oversized token', async () => {
    await expect(signVisitToken(visitInput(pair, { visitId: 'visit-1' }))).rejects.toThrow(TypeError);
    await expect(signVisitToken(visitInput(pair, { siteId: '' }))).rejects.toThrow(/siteId/);
    await expect(signVisitToken(visitInput(pair, { jti: 'AAAAAAAAAAAAAAAAAAAAAA' }))).rejects.toThrow(/jti/);
    await expect(signVisitToken(visitInput(pair, { kid: '' }))).rejects.toThrow(/kid/);
    await expect(signVisitToken(visitInput(pair, { notBefore: new Date('nope') }))).rejects.toThrow(/notBefore/);
    await expect(signVisitToken(visitInput(pair, { expiresAt: NOT_BEFORE }))).rejects.toThrow(RangeError);
    await expect(
      signVisitToken(visitInput(pair, { issuer: 'https://atrium.example.com/instances/headquarters-berlin' })),
    ).rejects.toThrow(/too long/);
  });
});
