import type { Database } from '../db';
import type { EventDispatcher, EventPayloads } from '../events/outbox';
import { type RoleGrant, rolesColumn } from '../tenancy/users';

/** What a user may do right now, as the database says (not as a token minted up to 15 minutes ago says). */
export interface CurrentAccess {
  active: boolean;
  sessionVersion: number;
  roles: RoleGrant[];
}

/** How stale a replica's view of a user may be; the same replica forgets at once when it changes the user. */
export const ACCESS_CACHE_MS = 1000;
const MAX_ENTRIES = 10_000;

/**
 * A per-user lookup of status, session version and roles, cached for at most a second so a busy dashboard costs one
 * query per user per second. Entries are dropped when this replica changes the user and when any replica's
 * `user.access_changed` event arrives.
 */
export class UserAccess {
  #cache = new Map<string, { at: number; value: Promise<CurrentAccess | null> }>();
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Forgets a user whenever an access change of theirs is delivered (from this replica or another). */
  follow(events: EventDispatcher): void {
    this.#unsubscribe = events.subscribe((event) => {
      if (event.type === 'user.access_changed') {
        this.forget(event.tenantId, (event.payload as EventPayloads['user.access_changed']).userId);
      }
    });
  }

  stop(): void {
    this.#unsubscribe?.();
  }

  forget(tenantId: string, userId: string): void {
    this.#cache.delete(`${tenantId}:${userId}`);
  }

  current(tenantId: string, userId: string): Promise<CurrentAccess | null> {
    const now = this.clock();
    const key = `${tenantId}:${userId}`;
    const hit = this.#cache.get(key);
    if (hit && now - hit.at < ACCESS_CACHE_MS) return hit.value;
    if (this.#cache.size >= MAX_ENTRIES) this.#cache.clear();
    const value = this.#load(tenantId, userId);
    this.#cache.set(key, { at: now, value });
    // A failed lookup is not remembered: the next request asks again.
    value.catch(() => {
      if (this.#cache.get(key)?.value === value) this.#cache.delete(key);
    });
    return value;
  }

  async #load(tenantId: string, userId: string): Promise<CurrentAccess | null> {
    const row = await this.db.withTenant(tenantId, (tx) =>
      tx
        .selectFrom('users as u')
        .select((eb) => ['u.status', 'u.session_version', rolesColumn(eb)])
        .where('u.id', '=', userId)
        .executeTakeFirst(),
    );
    if (!row) return null;
    return { active: row.status === 'active', sessionVersion: row.session_version, roles: row.roles };
  }
}
