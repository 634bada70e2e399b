import { beforeAll, describe, expect, it } from 'vitest';
import {
  cachedConfig,
  DURING_VISIT,
  EXPIRES_AT,
  generateQrKeyPair,
  JTI,
  NOT_BEFORE,
  OTHER_SITE_ID,
  type QrKeyPair,
  signToken,
  VISIT_ID,
} from './test-fixtures';
import { type VerifyScanInput, verifyScan } from './verify';

let pair: QrKeyPair;
let stranger: QrKeyPair;
let token: string;

beforeAll(async () => {
  [pair, stranger] = await Promise.all([generateQrKeyPair(), generateQrKeyPair()]);
  token = await signToken(pair);
});

const neverUsed = async () => false;

function verify(overrides: Partial<VerifyScanInput> = {}) {
  return verifyScan({
    token,
    mode: 'check_in',
    cached: cachedConfig(pair),
    deviceNow: DURING_VISIT,
    isUsed: neverUsed,
    ...overrides,
  });
}

describe('verifyScan (local, before any network call)', () => {
  it('accepts a valid code with the claims the welcome screen needs', async () => {
    const verdict = await verify();
    expect(verdict).toMatchObject({
      ok: true,
      claims: { visitId: VISIT_ID, jti: JTI, displayName: 'Ada L.' },
      serverNow: DURING_VISIT,
    });
  });

  it('checks the validity window at server time, not at the tablet clock', async () => {
    // The tablet is 10 hours behind; the server offset from the last sync puts it right.
    const offsetMs = 10 * 3600_000;
    const deviceNow = DURING_VISIT - offsetMs;
    const cached = cachedConfig(pair, { offsetMs, fetchedAt: deviceNow - 60_000 });
    expect(await verify({ cached, deviceNow })).toMatchObject({ ok: true, serverNow: DURING_VISIT });
    // The same tablet clock with no offset would call the code not yet valid.
    const naive = cachedConfig(pair, { fetchedAt: deviceNow - 60_000 });
    expect(await verify({ cached: naive, deviceNow })).toMatchObject({ ok: false, reason: 'token_not_yet_valid' });
  });

  it('names the reason for expired, early, foreign-site, forged and garbled codes', async () => {
    expect(await verify({ deviceNow: EXPIRES_AT + 120_000 })).toEqual({ ok: false, reason: 'token_expired' });
    const early = NOT_BEFORE - 120_000;
    // A code that is not valid yet says from when it is, for the visitor's screen.
    expect(await verify({ deviceNow: early, cached: cachedConfig(pair, { fetchedAt: early }) })).toEqual({
      ok: false,
      reason: 'token_not_yet_valid',
      notBefore: new Date(NOT_BEFORE),
    });
    expect(await verify({ token: await signToken(pair, { siteId: OTHER_SITE_ID }) })).toEqual({
      ok: false,
      reason: 'wrong_site',
    });
    expect(await verify({ token: await signToken(stranger) })).toEqual({ ok: false, reason: 'invalid_token' });
    expect(await verify({ token: 'https://example.com/not-a-token' })).toEqual({ ok: false, reason: 'invalid_token' });
  });

  it('refuses a cancelled visit from the synced revocation list, in any letter case', async () => {
    const cached = cachedConfig(pair, { revokedJtis: [JTI.toUpperCase()] });
    expect(await verify({ cached })).toEqual({ ok: false, reason: 'visit_cancelled' });
    expect(await verify({ cached, mode: 'check_out' })).toEqual({ ok: false, reason: 'visit_cancelled' });
  });

  it('refuses a code already used on this kiosk for check-in, but not for check-out', async () => {
    const isUsed = async (jti: string) => jti === JTI;
    expect(await verify({ isUsed })).toEqual({ ok: false, reason: 'already_used' });
    expect(await verify({ isUsed, mode: 'check_out' })).toMatchObject({ ok: true });
  });

  it('refuses everything with "kiosk must reconnect" when keys are older than keyMaxAgeSeconds or missing', async () => {
    const cached = cachedConfig(pair, { fetchedAt: DURING_VISIT - 3601_000, keyMaxAgeSeconds: 3600 });
    expect(await verify({ cached })).toEqual({ ok: false, reason: 'kiosk_must_reconnect' });
    expect(await verify({ cached: null })).toEqual({ ok: false, reason: 'kiosk_must_reconnect' });
    const fresh = cachedConfig(pair, { fetchedAt: DURING_VISIT - 3599_000, keyMaxAgeSeconds: 3600 });
    expect(await verify({ cached: fresh })).toMatchObject({ ok: true });
  });
});
