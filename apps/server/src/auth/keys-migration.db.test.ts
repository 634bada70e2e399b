import { randomBytes, randomUUID } from 'node:crypto';
import { signVisitToken, verifyVisitToken } from '@atrium/qr-token';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyDatabase, type TestDatabase, testBackend } from '../../test/db';
import { SecretBox } from '../crypto/secret-box';
import { loadMigrations, migrate } from '../db/migrate';
import { QR_ISSUER } from '../visits/qr-tokens';
import { KeyRing } from './keys';

const open: TestDatabase[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

/** A key as versions before per-tenant QR keys wrote it: no tenant, sealed with the instance key. */
async function legacyKey(t: TestDatabase, box: SecretBox, purpose: string, retiredAt: Date | null) {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = (await calculateJwkThumbprint(jwk)).slice(0, 8);
  const sealed = box.seal(await exportPKCS8(privateKey), `signing_key:${kid}`);
  await t.db.asOwner((tx) =>
    tx
      .insertInto('signing_keys')
      .values({
        kid,
        purpose,
        public_jwk: JSON.stringify({ ...jwk, kid, alg: 'EdDSA', use: 'sig' }),
        private_key_sealed: sealed,
        retired_at: retiredAt,
      })
      .execute(),
  );
  return { kid, privateKey };
}

/** An instance on the schema before 0011 with `tenants` tenants and codes already handed out, then upgraded. */
async function upgradedInstance(tenants: number) {
  const t = await emptyDatabase();
  open.push(t);
  await migrate(
    t.db.backend,
    loadMigrations().filter((m) => m.version < '0011'),
  );
  const box = new SecretBox(randomBytes(32));
  const tenantIds: string[] = [];
  for (let i = 0; i < tenants; i++) {
    const id = randomUUID();
    await t.db.asOwner((tx) =>
      tx
        .insertInto('tenants')
        .values({ id, name: `Tenant ${i}` })
        .execute(),
    );
    tenantIds.push(id);
  }
  const retired = await legacyKey(t, box, 'qr', new Date(Date.now() - 86_400_000));
  const current = await legacyKey(t, box, 'qr', null);
  await legacyKey(t, box, 'access', null);
  await legacyKey(t, box, 'device', null);
  const siteId = randomUUID();
  const codeSignedWith = (key: typeof current) =>
    signVisitToken({
      privateKey: key.privateKey,
      kid: key.kid,
      issuer: QR_ISSUER,
      siteId,
      visitId: randomUUID(),
      jti: randomUUID(),
      notBefore: new Date(Date.now() - 60_000),
      expiresAt: new Date(Date.now() + 3600_000),
      displayName: 'Ada L.',
    });
  const codes = [await codeSignedWith(current), await codeSignedWith(retired)];

  expect(await migrate(t.db.backend)).toContain('0011_tenant_qr_keys_scoped_idempotency');
  const ring = await KeyRing.open(t.db, box);
  const verifies = async (code: string, tenantId: string) => {
    const keys = await ring.qrJwks(tenantId);
    return (await verifyVisitToken(code, { keys: keys as never, issuer: QR_ISSUER, siteId, now: new Date() })).ok;
  };
  return { t, ring, tenantIds, current, retired, codes, verifies };
}

const kids = (jwks: { keys: Array<{ kid?: string }> }) => jwks.keys.map((key) => key.kid);

describe(`upgrading to per-tenant QR keys on ${testBackend()}`, () => {
  it('one tenant: the existing QR keys become its own, the current one keeps signing, issued codes verify', async () => {
    const { ring, tenantIds, current, retired, codes, verifies } = await upgradedInstance(1);
    const [tenantId] = tenantIds as [string];
    expect((await ring.qrSigningKey(tenantId)).kid).toBe(current.kid);
    expect(kids(await ring.qrJwks(tenantId))).toEqual([current.kid, retired.kid]);
    for (const code of codes) expect(await verifies(code, tenantId)).toBe(true);
    expect(kids(await ring.publicQrJwks())).toEqual([current.kid, retired.kid]);
  });

  it('several tenants: the shared keys stop signing but verify every tenant’s issued codes; each gets its own key', async () => {
    const { t, ring, tenantIds, current, retired, codes, verifies } = await upgradedInstance(2);
    const [a, b] = tenantIds as [string, string];
    const ownA = (await ring.qrSigningKey(a)).kid;
    const ownB = (await ring.qrSigningKey(b)).kid;
    expect([current.kid, retired.kid, ownB]).not.toContain(ownA);
    expect([current.kid, retired.kid]).not.toContain(ownB);
    const ofA = kids(await ring.qrJwks(a));
    expect(ofA[0]).toBe(ownA);
    expect([...ofA].sort()).toEqual([ownA, current.kid, retired.kid].sort());
    for (const code of codes) {
      expect(await verifies(code, a)).toBe(true);
      expect(await verifies(code, b)).toBe(true);
    }
    const published = kids(await ring.publicQrJwks());
    expect(published).toEqual(expect.arrayContaining([ownA, ownB, current.kid, retired.kid]));
    expect(new Set(published).size).toBe(published.length);
    const shared = await t.db.asOwner((tx) =>
      tx
        .selectFrom('signing_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('purpose', '=', 'qr')
        .where('tenant_id', 'is', null)
        .where('retired_at', 'is not', null)
        .executeTakeFirstOrThrow(),
    );
    expect(shared.n).toBe(2);
  });
});
