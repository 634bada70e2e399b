import { sql } from 'kysely';
import type { Database, Tx } from '../db';

/** One counter: at most `limit` attempts per fixed window of `windowSeconds` on `key`. */
export interface LimitRule {
  key: string;
  limit: number;
  windowSeconds: number;
}

export interface LimitCount {
  key: string;
  count: number;
  /** Seconds until the key's window ends. */
  retryAfter: number;
}

/** Every fixed limit in one place (walk-in limits are site settings). */
export const LIMITS = {
  /** Every sign-in attempt (password or TOTP) from one address. */
  loginPerIp: { limit: 10, windowSeconds: 60 },
  /** Failures in a row on one account from one address (a success clears them): refused beyond this. */
  loginPerAccountSource: { limit: 5, windowSeconds: 15 * 60 },
  /** Failures on one account from anywhere: beyond this each answer is slowed, never refused, so its owner gets in. */
  loginPerAccount: { limit: 10, windowSeconds: 15 * 60 },
  pairingStartPerIp: { limit: 30, windowSeconds: 60 },
  /** Codes typed in by one user / from one address / for one code value; only wrong codes stay counted. */
  pairPerUser: { limit: 10, windowSeconds: 60 },
  pairPerIp: { limit: 20, windowSeconds: 60 },
  pairPerCode: { limit: 5, windowSeconds: 10 * 60 },
  /** Staff PIN attempts on one kiosk (a right PIN clears them). */
  staffUnlockPerKiosk: { limit: 5, windowSeconds: 5 * 60 },
} as const;

export const rule = (kind: keyof typeof LIMITS, subject: string): LimitRule => ({
  key: `${kind}:${subject}`,
  ...LIMITS[kind],
});

/**
 * Fixed-window counters in the database (PostgreSQL or PGlite), so every replica shares them. Each attempt is counted
 * by one atomic upsert before anything is evaluated, so no amount of concurrency lets more through than the limit.
 * Raw `sql`: rate_limits is closed to the app role and reached only through its SECURITY DEFINER functions.
 */
export class RateLimits {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  /** Counts one attempt on every rule; `tx` joins the caller's transaction (it then rolls back with it). */
  async count(rules: readonly LimitRule[], tx?: Tx): Promise<LimitCount[]> {
    if (rules.length === 0) return [];
    const keys = rules.map((r) => r.key);
    const windows = rules.map((r) => r.windowSeconds);
    const run = (on: Tx) =>
      sql<{ key: string; count: number; retry_after: number }>`SELECT key, count, retry_after
        FROM app_rate_limit_hit(${keys}::text[], ${windows}::integer[], ${this.now()})`.execute(on);
    const { rows } = await (tx ? run(tx) : this.db.withoutTenant(run));
    return rows.map((row) => ({ key: row.key, count: row.count, retryAfter: row.retry_after }));
  }

  /** Counts one attempt on every rule; the seconds to wait when any is over its limit, else 0. */
  async hit(rules: readonly LimitRule[], tx?: Tx): Promise<number> {
    return secondsToWait(rules, await this.count(rules, tx));
  }

  /** Gives back one attempt (it turned out not to count, e.g. a pairing code that was right). */
  async refund(keys: readonly string[]): Promise<void> {
    await this.db.withoutTenant((tx) => sql`SELECT app_rate_limit_refund(${keys}::text[], ${this.now()})`.execute(tx));
  }

  async reset(keys: readonly string[], tx?: Tx): Promise<void> {
    const run = (on: Tx) => sql`SELECT app_rate_limit_reset(${keys}::text[])`.execute(on);
    await (tx ? run(tx) : this.db.withoutTenant(run));
  }

  /** Deletes expired windows; returns how many. */
  async sweep(): Promise<number> {
    const {
      rows: [row],
    } = await this.db.withoutTenant((tx) =>
      sql<{ swept: number }>`SELECT app_rate_limit_sweep(${this.now()}) AS swept`.execute(tx),
    );
    return row?.swept ?? 0;
  }
}

/** The longest wait among the rules whose count went over their limit, or 0. */
export function secondsToWait(rules: readonly LimitRule[], counts: readonly LimitCount[]): number {
  let wait = 0;
  for (const rule of rules) {
    const counted = counts.find((c) => c.key === rule.key);
    // Concurrent callers read the clock before they reach the database, so one may be a moment behind the window's
    // start; the wait is never longer than the window itself.
    if (counted && counted.count > rule.limit) wait = Math.max(wait, Math.min(rule.windowSeconds, counted.retryAfter));
  }
  return wait;
}
