import { randomInt } from 'node:crypto';
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
    const [id] = await tx.query<{ id: string }>('SELECT gen_random_uuid() AS id');
    const rows = await tx.query<{ id: string; version: number }>(
      `INSERT INTO vouchers (id, tenant_id, site_id, visit_id, username, password_sealed, valid_from, valid_until)
       VALUES ($1, app_current_tenant(), $2, $3, $4, $5, $6, $7)
       ON CONFLICT (site_id, username) WHERE status = 'active' DO NOTHING
       RETURNING id, version`,
      [
        id!.id,
        input.siteId,
        input.visitId,
        username,
        box.seal(password, voucherContext(id!.id)),
        input.validFrom,
        input.validUntil,
      ],
    );
    if (rows[0]) {
      return { id: rows[0].id, username, password, validUntil: input.validUntil, version: rows[0].version };
    }
  }
  throw new Error('could not find a free voucher username');
}

/** Revokes the active vouchers of a visit; the agent rejects them at once and ends their sessions. */
export async function revokeVisitVouchers(
  tx: Tx,
  visitId: string,
  status: 'revoked' | 'expired' = 'revoked',
): Promise<Array<{ id: string; siteId: string; version: number }>> {
  const rows = await tx.query<{ id: string; site_id: string; version: number }>(
    `UPDATE vouchers SET status = $2, revoked_at = now(), version = version + 1
      WHERE visit_id = $1 AND status = 'active' RETURNING id, site_id, version`,
    [visitId, status],
  );
  return rows.map((row) => ({ id: row.id, siteId: row.site_id, version: row.version }));
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
