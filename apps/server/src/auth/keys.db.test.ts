import { randomBytes, randomUUID } from 'node:crypto';
import { signVisitToken, verifyVisitToken } from '@atrium/qr-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { SecretBox } from '../crypto/secret-box';
import { Database } from '../db/database';
import { openPostgres } from '../db/postgres';
import { KeyRing, ROTATIONS_PER_HOUR } from './keys';

let t: TestDatabase;
let second: Database;
let tenantId: string;
// The replicas share the instance secret key, as replicas do.
const box = new SecretBox(randomBytes(32));
beforeAll(async () => {
  t = await freshDatabase();
  // A second replica: its own pool on the same database (PGlite has one process, so the same handle).
  second = t.databaseUrl ? new Database(await openPostgres(t.databaseUrl, { max: 4 })) : t.db;
  tenantId = randomUUID();
  await t.db.asOwner((tx) => tx.insertInto('tenants').values({ id: tenantId, name: 'Replicated' }).execute());
});
afterAll(async () => {
  if (second !== t.db) await second.close();
  await t.close();
});

describe(`QR key rotation across replicas on ${testBackend()}`, () => {
  it('20 concurrent rotations through two replicas: exactly the hourly limit goes through, one key stays current', async () => {
    const replicas = [await KeyRing.open(t.db, box), await KeyRing.open(second, box)];
    const first = await replicas[0]!.qrSigningKey(tenantId);
    expect((await replicas[1]!.qrSigningKey(tenantId)).kid).toBe(first.kid);

    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => replicas[i % 2]!.rotate('qr', tenantId)));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(ROTATIONS_PER_HOUR);
    expect(outcomes.filter((o) => !o.ok && o.reason === 'rate_limited')).toHaveLength(20 - ROTATIONS_PER_HOUR);

    const rows = await t.db.asOwner((tx) =>
      tx
        .selectFrom('signing_keys')
        .select(['kid', 'retired_at'])
        .where('purpose', '=', 'qr')
        .where('tenant_id', '=', tenantId)
        .execute(),
    );
    expect(rows.filter((row) => row.retired_at)).toHaveLength(ROTATIONS_PER_HOUR);
    const current = rows.filter((row) => !row.retired_at);
    expect(current).toHaveLength(1);
    // Both replicas sign with the new current key, whichever rotated last.
    for (const ring of replicas) expect((await ring.qrSigningKey(tenantId)).kid).toBe(current[0]!.kid);
  });

  it('a code signed with a key one replica just made verifies on the other at once', async () => {
    const fresh = randomUUID();
    await t.db.asOwner((tx) => tx.insertInto('tenants').values({ id: fresh, name: 'Fresh' }).execute());
    const [one, two] = [await KeyRing.open(t.db, box), await KeyRing.open(second, box)];
    const signer = await one.qrSigningKey(fresh);
    const siteId = randomUUID();
    const code = await signVisitToken({
      privateKey: signer.privateKey,
      kid: signer.kid,
      issuer: 'atrium',
      siteId,
      visitId: randomUUID(),
      jti: randomUUID(),
      notBefore: new Date(Date.now() - 60_000),
      expiresAt: new Date(Date.now() + 3600_000),
      displayName: 'Ada L.',
    });
    const keys = await two.qrVerificationKeys(fresh, signer.kid);
    const result = await verifyVisitToken(code, { keys: keys as never, issuer: 'atrium', siteId, now: new Date() });
    expect(result.ok).toBe(true);
    // Another tenant's kiosk never gets it.
    expect((await two.qrVerificationKeys(tenantId, signer.kid)).keys.map((key) => key.kid)).not.toContain(signer.kid);
  });
});
