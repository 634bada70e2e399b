import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JWK,
} from 'jose';
import type { SecretBox } from '../crypto/secret-box';
import type { Database, Queryable } from '../db';

export type KeyPurpose = 'access' | 'device' | 'qr';
export const KEY_PURPOSES: readonly KeyPurpose[] = ['access', 'device', 'qr'];

/** How long a retired key still verifies: at least the longest lifetime of a token it signed. */
export const RETIRED_KEY_OVERLAP_MS: Record<KeyPurpose, number> = {
  access: 60 * 60 * 1000,
  device: 366 * 24 * 60 * 60 * 1000,
  qr: 366 * 24 * 60 * 60 * 1000,
};

type Key = import('node:crypto').webcrypto.CryptoKey;

interface LoadedKey {
  kid: string;
  purpose: KeyPurpose;
  publicJwk: JWK;
  publicKey: Key;
  privateKey?: Key;
  retiredAt: Date | null;
}

interface KeyRow {
  kid: string;
  purpose: KeyPurpose;
  public_jwk: JWK;
  private_key_sealed: string;
  retired_at: Date | null;
}

const sealContext = (kid: string) => `signing_key:${kid}`;

/**
 * Ed25519 signing keys by purpose, one current key each, rotated by kid. Private keys are sealed at rest and only the
 * current ones are kept unsealed in memory. Other replicas' rotations are picked up when an unknown kid shows up.
 */
export class KeyRing {
  #keys = new Map<string, LoadedKey>();
  #current = new Map<KeyPurpose, string>();
  #lastReload = 0;

  private constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly now: () => Date,
  ) {}

  static async open(db: Database, box: SecretBox, now: () => Date = () => new Date()): Promise<KeyRing> {
    const ring = new KeyRing(db, box, now);
    await db.asOwner(async (tx) => {
      for (const purpose of KEY_PURPOSES) {
        const [current] = await tx.query('SELECT kid FROM signing_keys WHERE purpose = $1 AND retired_at IS NULL', [
          purpose,
        ]);
        if (!current) await ring.#insertKey(tx, purpose);
      }
    });
    await ring.reload();
    return ring;
  }

  async #insertKey(tx: Queryable, purpose: KeyPurpose): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = (await calculateJwkThumbprint(jwk)).slice(0, 8);
    const publicJwk = { ...jwk, kid, alg: 'EdDSA', use: 'sig' };
    // Two replicas creating the first key at once: the partial unique index keeps one, the other is ignored.
    await tx.query(
      `INSERT INTO signing_keys (kid, purpose, public_jwk, private_key_sealed) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [kid, purpose, JSON.stringify(publicJwk), this.box.seal(await exportPKCS8(privateKey), sealContext(kid))],
    );
    return kid;
  }

  /** Re-reads keys from the database (all purposes). */
  async reload(): Promise<void> {
    const rows = await this.db.asOwner((tx) =>
      tx.query<KeyRow>('SELECT kid, purpose, public_jwk, private_key_sealed, retired_at FROM signing_keys'),
    );
    const keys = new Map<string, LoadedKey>();
    const current = new Map<KeyPurpose, string>();
    for (const row of rows) {
      const publicKey = (await importJWK(row.public_jwk, 'EdDSA')) as Key;
      const loaded: LoadedKey = {
        kid: row.kid,
        purpose: row.purpose,
        publicJwk: row.public_jwk,
        publicKey,
        retiredAt: row.retired_at,
      };
      if (!row.retired_at) {
        const pem = this.box.open(row.private_key_sealed, sealContext(row.kid)).toString();
        loaded.privateKey = (await importPKCS8(pem, 'EdDSA')) as Key;
        current.set(row.purpose, row.kid);
      }
      keys.set(row.kid, loaded);
    }
    this.#keys = keys;
    this.#current = current;
    this.#lastReload = Date.now();
  }

  /** The key to sign with now. */
  signingKey(purpose: KeyPurpose): { kid: string; privateKey: Key } {
    const kid = this.#current.get(purpose);
    const key = kid ? this.#keys.get(kid) : undefined;
    if (!key?.privateKey) throw new Error(`no current ${purpose} key`);
    return { kid: key.kid, privateKey: key.privateKey };
  }

  #stillValid(key: LoadedKey): boolean {
    return !key.retiredAt || key.retiredAt.getTime() + RETIRED_KEY_OVERLAP_MS[key.purpose] > this.now().getTime();
  }

  /** The public key for `kid` if it has one of `purposes` and still verifies; an unknown kid triggers one reload. */
  async verificationKey(kid: string, purposes: readonly KeyPurpose[]): Promise<Key | undefined> {
    let key = this.#keys.get(kid);
    if (!key && Date.now() - this.#lastReload > 5000) {
      await this.reload();
      key = this.#keys.get(kid);
    }
    if (!key || !purposes.includes(key.purpose) || !this.#stillValid(key)) return undefined;
    return key.publicKey;
  }

  /** Public keys of a purpose that still verify, current first: the JWKS. */
  jwks(purpose: KeyPurpose): { keys: JWK[] } {
    const keys = [...this.#keys.values()]
      .filter((key) => key.purpose === purpose && this.#stillValid(key))
      .sort((a, b) => Number(a.retiredAt !== null) - Number(b.retiredAt !== null));
    return { keys: keys.map((key) => key.publicJwk) };
  }

  /** Retires the current key of a purpose and makes a new one current; the old one keeps verifying for its overlap. */
  async rotate(purpose: KeyPurpose): Promise<{ retired: string | undefined; current: string }> {
    const retired = this.#current.get(purpose);
    const current = await this.db.asOwner(async (tx) => {
      await tx.query('UPDATE signing_keys SET retired_at = now() WHERE purpose = $1 AND retired_at IS NULL', [purpose]);
      return this.#insertKey(tx, purpose);
    });
    await this.reload();
    return { retired, current };
  }
}
