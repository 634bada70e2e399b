import { randomUUID } from 'node:crypto';
import { AGENT_FEATURES, type AgentVoucher, RECONCILE_PART_SIZE, type ServerMessage } from '@atrium/protocol';
import type { Selectable } from 'kysely';
import type { SecretBox } from '../crypto/secret-box';
import type { Database, Tx } from '../db';
import type { Vouchers } from '../db/schema';
import { voucherContext } from '../visits/vouchers';

/** Reads vouchers as an agent receives them: the password opened, ready to answer RADIUS. */
export interface VoucherFeedDeps {
  db: Database;
  box: SecretBox;
}

type VoucherRow = Pick<
  Selectable<Vouchers>,
  'id' | 'username' | 'password_sealed' | 'valid_from' | 'valid_until' | 'version'
>;

const selectVouchers = (tx: Tx) =>
  tx.selectFrom('vouchers').select(['id', 'username', 'password_sealed', 'valid_from', 'valid_until', 'version']);

function toAgentVoucher(box: SecretBox, row: VoucherRow): AgentVoucher {
  return {
    id: row.id,
    username: row.username,
    password: box.open(row.password_sealed, voucherContext(row.id)).toString(),
    validFrom: row.valid_from.toISOString(),
    validUntil: row.valid_until.toISOString(),
    version: row.version,
  };
}

/** Every voucher of the site still active at `now`, in id order: what a reconciliation sends. */
export async function activeVouchers(
  deps: VoucherFeedDeps,
  site: { tenantId: string; siteId: string },
  now: Date,
): Promise<AgentVoucher[]> {
  const rows = await deps.db.withTenant(site.tenantId, (tx) =>
    selectVouchers(tx)
      .where('site_id', '=', site.siteId)
      .where('status', '=', 'active')
      .where('valid_until', '>', now)
      .orderBy('id')
      .execute(),
  );
  return rows.map((row) => toAgentVoucher(deps.box, row));
}

/** The vouchers among `ids` that are still active, by id: one query for a burst of upserts. */
export async function vouchersToPush(
  deps: VoucherFeedDeps,
  tenantId: string,
  ids: string[],
): Promise<Map<string, AgentVoucher>> {
  if (ids.length === 0) return new Map();
  const rows = await deps.db.withTenant(tenantId, (tx) =>
    selectVouchers(tx)
      .where('id', '=', (eb) => eb.fn.any(eb.val(ids)))
      .where('status', '=', 'active')
      .execute(),
  );
  return new Map(rows.map((row) => [row.id, toAgentVoucher(deps.box, row)]));
}

/**
 * The frames of a reconciliation: the whole set in one, or (for an agent that takes parts) in parts of
 * RECONCILE_PART_SIZE, so neither side holds the set as one big frame. An empty set is one part marked last.
 */
export function reconcileMessages(vouchers: AgentVoucher[], agentFeatures: string[] = []): ServerMessage[] {
  if (!agentFeatures.includes(AGENT_FEATURES.reconcileParts)) {
    return [{ v: 1, id: randomUUID(), type: 'vouchers.reconcile', vouchers }];
  }
  const set = randomUUID();
  const count = Math.max(1, Math.ceil(vouchers.length / RECONCILE_PART_SIZE));
  return Array.from({ length: count }, (_, index) => ({
    v: 1,
    id: randomUUID(),
    type: 'vouchers.reconcile',
    vouchers: vouchers.slice(index * RECONCILE_PART_SIZE, (index + 1) * RECONCILE_PART_SIZE),
    part: { set, index, last: index === count - 1, total: vouchers.length },
  }));
}
