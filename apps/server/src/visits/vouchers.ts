import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { SecretBox } from '../crypto/secret-box';
import type { Tx } from '../db';
import { emit } from '../events/outbox';

// Read aloud or typed on a phone: no 0/o, 1/l/i.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const pick = (length: number) => Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export const voucherContext = (voucherId: string) => `voucher:${voucherId}`;

export interface IssuedVoucher {
  id: string;
  username: string;
  password: string;
  validUntil: Date;
  version: number;
}

/** A voucher for a visit, unique among the site's active vouchers, with its upsert event in the same transaction. */
export async function issueVoucher(
  tx: Tx,
  box: SecretBox,
  input: { siteId: string; visitId: string; validFrom: Date; validUntil: Date },
): Promise<IssuedVoucher> {
  const password = pick(8);
  for (let attempt = 0; attempt < 8; attempt++) {
    const username = `guest-${pick(6)}`;
    // The id is drawn first: the sealed password is bound to it. A function call with no table to select from.
    const { id } = await tx.selectNoFrom(sql<string>`gen_random_uuid()`.as('id')).executeTakeFirstOrThrow();
    const row = await tx
      .insertInto('vouchers')
      .values({
        id,
        // The RLS helper: the tenant the transaction was opened for.
        tenant_id: sql<string>`app_current_tenant()`,
        site_id: input.siteId,
        visit_id: input.visitId,
        username,
        password_sealed: box.seal(password, voucherContext(id)),
        valid_from: input.validFrom,
        valid_until: input.validUntil,
      })
      // A literal, not a parameter: PostgreSQL matches the partial unique index by its predicate.
      .onConflict((oc) => oc.columns(['site_id', 'username']).where('status', '=', sql.lit('active')).doNothing())
      .returning(['id', 'version'])
      .executeTakeFirst();
    if (row) return { id: row.id, username, password, validUntil: input.validUntil, version: row.version };
  }
  throw new Error('could not find a free voucher username');
}

/** Revokes the active vouchers of a visit; the agent rejects them at once and ends their sessions. */
export async function revokeVisitVouchers(
  tx: Tx,
  visitId: string,
  status: 'revoked' | 'expired' = 'revoked',
): Promise<Array<{ id: string; siteId: string; version: number }>> {
  return tx
    .updateTable('vouchers')
    .set((eb) => ({ status, revoked_at: sql`now()`, version: eb('version', '+', 1) }))
    .where('visit_id', '=', visitId)
    .where('status', '=', 'active')
    .returning(['id', 'site_id as siteId', 'version'])
    .execute();
}

export async function emitVoucherRevocations(
  tx: Tx,
  visitId: string,
  revoked: Array<{ id: string; siteId: string; version: number }>,
): Promise<void> {
  for (const voucher of revoked) {
    await emit(tx, 'voucher.revoked', voucher.siteId, {
      voucherId: voucher.id,
      visitId,
      version: voucher.version,
      disconnect: true,
    });
  }
}
