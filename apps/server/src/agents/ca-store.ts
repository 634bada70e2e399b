import type { SecretBox } from '../crypto/secret-box';
import type { Database } from '../db';
import { CertificateAuthority, createCa } from './ca';

const CONTEXT = 'instance_ca';

/** Loads the instance CA, creating it on first start; two replicas starting at once end up with the same one. */
export async function loadOrCreateCa(
  db: Database,
  box: SecretBox,
  now: Date = new Date(),
): Promise<CertificateAuthority> {
  const read = () =>
    db.asOwner((tx) => tx.selectFrom('instance_ca').select(['cert_pem', 'key_sealed']).executeTakeFirst());
  let row = await read();
  if (!row) {
    const fresh = await createCa({ now });
    await db.asOwner((tx) =>
      tx
        .insertInto('instance_ca')
        .values({ id: 1, cert_pem: fresh.certPem, key_sealed: box.seal(fresh.keyPem, CONTEXT) })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute(),
    );
    row = await read();
  }
  return CertificateAuthority.load({ certPem: row!.cert_pem, keyPem: box.open(row!.key_sealed, CONTEXT).toString() });
}
