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
import type { Database, Tx } from '../db';

export type KeyPurpose = 'access' | 'device' | 'qr';
export const KEY_PURPOSES: readonly KeyPurpose[] = ['access', 'device', 'qr'];
/** Keys of the whole instance (bearer tokens); QR keys belong to one tenant each. */
export type InstanceKeyPurpose = Exclude<KeyPurpose, 'qr'>;
const INSTANCE_PURPOSES: readonly InstanceKeyPurpose[] = ['access', 'device'];

/** How long a retired key still verifies: at least the longest lifetime of a token it signed. */
export const RETIRED_KEY_OVERLAP_MS: Record<KeyPurpose, number> = {
  access: 60 * 60 * 1000,
  device: 366 * 24 * 60 * 60 * 1000,
  qr: 366 * 24 * 60 * 60 * 1000,
};

/** Rotations of one key (a tenant's QR key, or an instance key) per hour; each retired key stays in the JWKS. */
export const ROTATIONS_PER_HOUR = 5;
const HOUR_MS = 3600_000;
// Serializes rotations and first keys across replicas (any constant other than the migration lock's).
const SIGNING_KEY_LOCK = 0x6b657973;

type Key = import('node:crypto').webcrypto.CryptoKey;
/** A current key and its kid, ready to sign with. */
export type Signer = { kid: string; privateKey: Key };

interface LoadedKey {
  kid: string;
  purpose: KeyPurpose;
  /** The tenant of a QR key; null for instance keys and for the shared QR keys of before per-tenant keys. */
  tenantId: string | null;
  publicJwk: JWK;
  publicKey: Key;
  privateKey?: Key;
  retiredAt: Date | null;
}

/** What the generated types cannot know: which purposes exist, and that the stored JSON is a JWK. */
type KeyColumns = { purpose: KeyPurpose; public_jwk: JWK };

export type Rotation =
  | { ok: true; retired: string | undefined; current: string }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number }
  | { ok: false; reason: 'instance_wide' };

const sealContext = (kid: string) => `signing_key:${kid}`;
/** Where the current key of a purpose is kept: one per instance purpose, one per tenant for QR. */
const scopeOf = (purpose: KeyPurpose, tenantId: string | null) => (purpose === 'qr' ? `qr:${tenantId}` : purpose);
const currentFirst = (a: LoadedKey, b: LoadedKey) => Number(a.retiredAt !== null) - Number(b.retiredAt !== null);

/**
 * Ed25519 signing keys, one current key per scope, rotated by kid: the instance's access and device keys, and each
 * tenant's QR key (made on first use). Private keys are sealed at rest and only the current ones are kept unsealed in
 * memory. Other replicas' rotations are picked up when an unknown kid shows up, and before a QR key signs.
 * The app role cannot read the table; tenant-facing methods take the tenant of the authenticated caller.
 */
export class KeyRing {
  #keys = new Map<string, LoadedKey>();
  #current = new Map<string, string>();
  #lastReload = 0;

  private constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly now: () => Date,
  ) {}

  static async open(db: Database, box: SecretBox, now: () => Date = () => new Date()): Promise<KeyRing> {
    const ring = new KeyRing(db, box, now);
    await db.asOwner(async (tx) => {
      for (const purpose of INSTANCE_PURPOSES) {
        if (!(await ring.#currentKid(tx, purpose, null))) await ring.#insertKey(tx, purpose, null);
      }
    });
    await ring.reload();
    return ring;
  }

  async #currentKid(tx: Tx, purpose: KeyPurpose, tenantId: string | null): Promise<string | undefined> {
    const row = await tx
      .selectFrom('signing_keys')
      .select('kid')
      .where('purpose', '=', purpose)
      .where('tenant_id', 'is not distinct from', tenantId)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    return row?.kid;
  }

  async #insertKey(tx: Tx, purpose: KeyPurpose, tenantId: string | null): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = (await calculateJwkThumbprint(jwk)).slice(0, 8);
    const publicJwk = { ...jwk, kid, alg: 'EdDSA', use: 'sig' };
    // Two replicas creating the first key at once: the partial unique index keeps one, the other is ignored.
    const inserted = await tx
      .insertInto('signing_keys')
      .values({
        kid,
        purpose,
        tenant_id: tenantId,
        public_jwk: JSON.stringify(publicJwk),
        private_key_sealed: this.box.seal(await exportPKCS8(privateKey), sealContext(kid)),
      })
      .onConflict((oc) => oc.doNothing())
      .returning('kid')
      .executeTakeFirst();
    if (inserted) return kid;
    // Lost a race for the first key, or (one in 2^48) the kid of another scope's key: whichever is current stands.
    return (await this.#currentKid(tx, purpose, tenantId)) ?? this.#insertKey(tx, purpose, tenantId);
  }

  /** Re-reads keys from the database (all purposes, all tenants). */
  async reload(): Promise<void> {
    const rows = await this.db.asOwner((tx) =>
      tx
        .selectFrom('signing_keys')
        .select(['kid', 'purpose', 'tenant_id', 'public_jwk', 'private_key_sealed', 'retired_at'])
        .$narrowType<KeyColumns>()
        .execute(),
    );
    const keys = new Map<string, LoadedKey>();
    const current = new Map<string, string>();
    for (const row of rows) {
      const publicKey = (await importJWK(row.public_jwk, 'EdDSA')) as Key;
      const loaded: LoadedKey = {
        kid: row.kid,
        purpose: row.purpose,
        tenantId: row.tenant_id,
        publicJwk: row.public_jwk,
        publicKey,
        retiredAt: row.retired_at,
      };
      if (!row.retired_at) {
        const pem = this.box.open(row.private_key_sealed, sealContext(row.kid)).toString();
        loaded.privateKey = (await importPKCS8(pem, 'EdDSA')) as Key;
        current.set(scopeOf(row.purpose, row.tenant_id), row.kid);
      }
      keys.set(row.kid, loaded);
    }
    this.#keys = keys;
    this.#current = current;
    this.#lastReload = Date.now();
  }

  #signingKey(scope: string): Signer {
    const kid = this.#current.get(scope);
    const key = kid ? this.#keys.get(kid) : undefined;
    if (!key?.privateKey) throw new Error(`no current ${scope} key`);
    return { kid: key.kid, privateKey: key.privateKey };
  }

  /** The instance key to sign bearer tokens with now. */
  signingKey(purpose: InstanceKeyPurpose): Signer {
    return this.#signingKey(purpose);
  }

  /**
   * Makes sure this replica knows the tenant's current QR key: made on first use, re-read when another replica
   * rotated it. One small query; call it outside a tenant transaction (PGlite has one connection).
   */
  async #freshQrKey(tenantId: string): Promise<void> {
    const known = this.#current.get(scopeOf('qr', tenantId));
    const current = await this.db.asOwner((tx) => this.#currentKid(tx, 'qr', tenantId));
    if (current && current === known) return;
    if (!current) {
      await this.db.withExclusiveLock(SIGNING_KEY_LOCK, async (tx) => {
        if (!(await this.#currentKid(tx, 'qr', tenantId))) await this.#insertKey(tx, 'qr', tenantId);
      });
    }
    await this.reload();
  }

  /** The tenant's current QR key, to sign a visit's code with. */
  async qrSigningKey(tenantId: string): Promise<Signer> {
    await this.#freshQrKey(tenantId);
    return this.#signingKey(scopeOf('qr', tenantId));
  }

  #stillValid(key: LoadedKey): boolean {
    return !key.retiredAt || key.retiredAt.getTime() + RETIRED_KEY_OVERLAP_MS[key.purpose] > this.now().getTime();
  }

  /** The public key for `kid` if it has one of `purposes` and still verifies; an unknown kid triggers one reload. */
  async verificationKey(kid: string, purposes: readonly InstanceKeyPurpose[]): Promise<Key | undefined> {
    const key = await this.#find(kid);
    if (!key || !(purposes as readonly KeyPurpose[]).includes(key.purpose) || !this.#stillValid(key)) return undefined;
    return key.publicKey;
  }

  async #find(kid: string): Promise<LoadedKey | undefined> {
    let key = this.#keys.get(kid);
    if (!key && Date.now() - this.#lastReload > 5000) {
      await this.reload();
      key = this.#keys.get(kid);
    }
    return key;
  }

  #jwks(filter: (key: LoadedKey) => boolean): { keys: JWK[] } {
    const keys = [...this.#keys.values()].filter((key) => filter(key) && this.#stillValid(key)).sort(currentFirst);
    return { keys: keys.map((key) => key.publicJwk) };
  }

  /** Public instance keys of a purpose that still verify, current first. */
  jwks(purpose: InstanceKeyPurpose): { keys: JWK[] } {
    return this.#jwks((key) => key.purpose === purpose);
  }

  /** A tenant's QR key belongs to it; a QR key without a tenant is a shared key from before per-tenant keys. */
  #isQrKeyOf(key: LoadedKey, tenantId: string): boolean {
    return key.purpose === 'qr' && (key.tenantId === tenantId || key.tenantId === null);
  }

  /** The QR keys that verify a tenant's codes, current first: what its kiosks get. */
  async qrJwks(tenantId: string): Promise<{ keys: JWK[] }> {
    await this.#freshQrKey(tenantId);
    return this.#jwks((key) => this.#isQrKeyOf(key, tenantId));
  }

  /**
   * The tenant's QR keys to verify a scanned code on the server. A kid this replica has not seen (another replica
   * just made or rotated the tenant's key) is looked up by itself, so the first scan of such a code already verifies.
   */
  async qrVerificationKeys(tenantId: string, kid: string | undefined): Promise<{ keys: JWK[] }> {
    if (kid && !this.#keys.has(kid)) {
      const row = await this.db.asOwner((tx) =>
        tx
          .selectFrom('signing_keys')
          .select(['kid', 'purpose', 'tenant_id', 'public_jwk', 'retired_at'])
          .where('kid', '=', kid)
          .where('purpose', '=', 'qr')
          .$narrowType<KeyColumns>()
          .executeTakeFirst(),
      );
      if (row) {
        const publicKey = (await importJWK(row.public_jwk, 'EdDSA')) as Key;
        this.#keys.set(row.kid, {
          kid: row.kid,
          purpose: row.purpose,
          tenantId: row.tenant_id,
          publicJwk: row.public_jwk,
          retiredAt: row.retired_at,
          publicKey,
        });
      }
    }
    return this.#jwks((key) => this.#isQrKeyOf(key, tenantId));
  }

  /**
   * Every tenant's QR keys that still verify, current first: the public JWKS (kids are unique instance-wide). A tenant
   * without a key yet gets one, so the list is complete from the first request; keys rotated elsewhere are re-read.
   */
  async publicQrJwks(): Promise<{ keys: JWK[] }> {
    const current = await this.db.asOwner((tx) =>
      tx
        .selectFrom('tenants as t')
        .leftJoin('signing_keys as k', (join) =>
          join.onRef('k.tenant_id', '=', 't.id').on('k.purpose', '=', 'qr').on('k.retired_at', 'is', null),
        )
        .select(['t.id as tenant_id', 'k.kid'])
        .execute(),
    );
    const missing = current.filter((row) => !row.kid).map((row) => row.tenant_id);
    if (missing.length > 0) {
      await this.db.withExclusiveLock(SIGNING_KEY_LOCK, async (tx) => {
        for (const tenantId of missing) {
          if (!(await this.#currentKid(tx, 'qr', tenantId))) await this.#insertKey(tx, 'qr', tenantId);
        }
      });
    }
    if (missing.length > 0 || current.some((row) => row.kid && !this.#keys.has(row.kid))) await this.reload();
    return this.#jwks((key) => key.purpose === 'qr');
  }

  /**
   * Retires the current key of a scope and makes a new one current; the old one keeps verifying for its overlap.
   * `tenantId` is the tenant asking: it rotates its own QR key, and an instance key only while it is the instance's
   * only tenant. At most ROTATIONS_PER_HOUR per scope, counted from the keys retired in the last hour, under a lock
   * every replica takes, so the limit holds across replicas.
   */
  async rotate(purpose: KeyPurpose, tenantId: string): Promise<Rotation> {
    const owner = purpose === 'qr' ? tenantId : null;
    const now = this.now();
    const outcome = await this.db.withExclusiveLock(SIGNING_KEY_LOCK, async (tx): Promise<Rotation> => {
      if (purpose !== 'qr') {
        const tenants = await tx
          .selectFrom('tenants')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        if (tenants.n !== 1) return { ok: false, reason: 'instance_wide' };
      }
      const recent = await tx
        .selectFrom('signing_keys')
        .select('retired_at')
        .where('purpose', '=', purpose)
        .where('tenant_id', 'is not distinct from', owner)
        .where('retired_at', '>', new Date(now.getTime() - HOUR_MS))
        .orderBy('retired_at')
        .$narrowType<{ retired_at: Date }>()
        .execute();
      if (recent.length >= ROTATIONS_PER_HOUR) {
        const freedAt = recent[recent.length - ROTATIONS_PER_HOUR]!.retired_at.getTime() + HOUR_MS;
        return {
          ok: false,
          reason: 'rate_limited',
          retryAfterSeconds: Math.max(1, Math.ceil((freedAt - now.getTime()) / 1000)),
        };
      }
      const retired = await tx
        .updateTable('signing_keys')
        .set({ retired_at: now })
        .where('purpose', '=', purpose)
        .where('tenant_id', 'is not distinct from', owner)
        .where('retired_at', 'is', null)
        .returning('kid')
        .executeTakeFirst();
      return { ok: true, retired: retired?.kid, current: await this.#insertKey(tx, purpose, owner) };
    });
    if (outcome.ok) await this.reload();
    return outcome;
  }
}
