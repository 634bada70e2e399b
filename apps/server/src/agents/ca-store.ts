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
    db.asOwner((tx) =>
      tx.query<{ cert_pem: string; key_sealed: string }>('SELECT cert_pem, key_sealed FROM instance_ca'),
    );
  let [row] = await read();
  if (!row) {
    const fresh = await createCa({ now });
    await db.asOwner((tx) =>
      tx.query('INSERT INTO instance_ca (id, cert_pem, key_sealed) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING', [
        fresh.certPem,
        box.seal(fresh.keyPem, CONTEXT),
      ]),
    );
    [row] = await read();
  }
  return CertificateAuthority.load({ certPem: row!.cert_pem, keyPem: box.open(row!.key_sealed, CONTEXT).toString() });
}
