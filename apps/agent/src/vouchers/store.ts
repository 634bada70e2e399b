import { timingSafeEqual } from 'node:crypto';
import { VoucherTable } from './table';

/** What the server sends (ISO times) or a test builds (Date or epoch ms). */
export interface VoucherInput {
  id: string;
  username: string;
  password: string;
  validFrom: Date | number | string;
  validUntil: Date | number | string;
  version: number;
}

/** A voucher as the store hands it out (a copy; the store keeps them packed): times are epoch milliseconds. */
export interface Voucher {
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly validFrom: number;
  readonly validUntil: number;
  readonly version: number;
}

export type AuthFailureReason = 'unknown_user' | 'bad_password' | 'expired' | 'not_yet_valid' | 'revoked';
/** What a login learns of its voucher: everything but the password. */
export type VoucherSummary = Omit<Voucher, 'password'>;
export type AuthResult =
  | { ok: true; voucher: VoucherSummary }
  | { ok: false; reason: AuthFailureReason; voucher?: VoucherSummary };

/** The NAS that reported a session: `address` is where its packets came from (and where a Disconnect goes). */
export interface NasInfo {
  address: string;
  ip?: string | null;
  identifier?: string | null;
}

export interface SessionUsage {
  username?: string | null;
  callingStationId?: string | null;
  framedIp?: string | null;
  sessionTime?: number | null;
  inputOctets?: number | null;
  outputOctets?: number | null;
}

export interface Session {
  acctSessionId: string;
  voucherId: string | null;
  nas: NasInfo;
  username: string | null;
  callingStationId: string | null;
  framedIp: string | null;
  startedAt: number;
  updatedAt: number;
  sessionTime: number | null;
  inputOctets: number | null;
  outputOctets: number | null;
}

export interface VoucherStoreOptions {
  /** How long a revoked id keeps refusing stale upserts. */
  tombstoneTtlMs?: number;
  /** A session with no accounting for this long is forgotten (its NAS rebooted or lost the Stop). */
  staleSessionMs?: number;
  /**
   * How far ahead of this host's clock a voucher's start may be and still be accepted. The server stamps `validFrom`
   * at check-in with its own clock; a visitor who joins the WiFi a second later must not be refused because the two
   * clocks differ by a few seconds. Default 2 minutes.
   */
  clockSkewMs?: number;
}

interface Tombstone {
  version: number;
  username: string | null;
  at: number;
}

function toMillis(value: Date | number | string, field: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`voucher ${field} is not a valid time: ${String(value)}`);
  return ms;
}

function toVoucher(input: VoucherInput): Voucher {
  return {
    id: input.id,
    username: input.username,
    password: input.password,
    validFrom: toMillis(input.validFrom, 'validFrom'),
    validUntil: toMillis(input.validUntil, 'validUntil'),
    version: input.version,
  };
}

/** RADIUS passwords are at most 128 octets (RFC 2865 §5.2); both sides are compared at this width. */
const PAP_WIDTH = 128;
const storedScratch = Buffer.alloc(PAP_WIDTH);
const receivedScratch = Buffer.alloc(PAP_WIDTH);

/** Checks a login's password against the stored one, given as its UTF-8 bytes (a view; do not keep it). */
export type PasswordCheck = (stored: Buffer) => boolean;

/** One side of a PAP comparison, zero-padded into `scratch`; returns its length in octets. */
function padded(value: Buffer | string, scratch: Buffer): number {
  scratch.fill(0);
  if (typeof value !== 'string') {
    value.copy(scratch, 0, 0, PAP_WIDTH);
    return value.length;
  }
  scratch.write(value, 'utf8');
  return Buffer.byteLength(value, 'utf8');
}

/**
 * A PAP password check in constant time: both sides are zero-padded to 128 octets and compared whole, and the lengths
 * are compared without a shortcut, so neither content nor length leaks (and no hash runs per attempt).
 */
export function papCheck(received: Buffer | string): (stored: Buffer | string) => boolean {
  return (stored) => {
    const receivedLength = padded(received, receivedScratch);
    const storedLength = padded(stored, storedScratch);
    const sameBytes = timingSafeEqual(storedScratch, receivedScratch);
    return receivedLength <= PAP_WIDTH && receivedLength === storedLength && sameBytes;
  };
}

function sessionKey(nasAddress: string, acctSessionId: string): string {
  return `${nasAddress}\u0000${acctSessionId}`;
}

/**
 * A voucher set arriving in parts (a chunked reconcile): checked and packed as each part comes, swapped into the
 * store by VoucherStore.commit only once complete. Within a set, a later entry replaces an earlier one with the same
 * id or username.
 */
export class VoucherSet {
  readonly table: VoucherTable;

  /** `expected`: how many vouchers the set will hold, with room for upserts to come. */
  constructor(expected = 0) {
    this.table = new VoucherTable(expected + (expected >> 3));
  }

  get size(): number {
    return this.table.size;
  }

  /** Adds a part; a bad entry throws (the set is then unusable, and the store never saw it). */
  add(list: readonly VoucherInput[]): void {
    const table = this.table;
    for (const input of list) {
      const voucher = toVoucher(input);
      const sameId = table.findById(voucher.id);
      if (sameId >= 0) table.remove(sameId);
      const sameUsername = table.findByUsername(voucher.username);
      if (sameUsername >= 0) table.remove(sameUsername);
      table.insert(voucher);
    }
  }
}

/**
 * The vouchers this site's RADIUS server answers from, and the sessions its NASes report. Versions only move forward:
 * an upsert or revoke older than what is held is ignored, and a revoked id remembers its version so a late upsert
 * cannot bring it back.
 */
export class VoucherStore {
  #vouchers = new VoucherTable();
  #tombstones = new Map<string, Tombstone>();
  #revokedUsernames = new Map<string, string>();
  #sessions = new Map<string, Session>();
  #sessionsByVoucher = new Map<string, Set<string>>();
  readonly #tombstoneTtlMs: number;
  readonly #staleSessionMs: number;
  readonly #clockSkewMs: number;

  constructor(options: VoucherStoreOptions = {}) {
    this.#clockSkewMs = options.clockSkewMs ?? 120_000;
    this.#tombstoneTtlMs = options.tombstoneTtlMs ?? 24 * 3600_000;
    this.#staleSessionMs = options.staleSessionMs ?? 24 * 3600_000;
  }

  get size(): number {
    return this.#vouchers.size;
  }

  get activeSessions(): number {
    return this.#sessions.size;
  }

  get(id: string): Voucher | undefined {
    const slot = this.#vouchers.findById(id);
    return slot < 0 ? undefined : this.#vouchers.voucher(slot);
  }

  findByUsername(username: string): Voucher | undefined {
    const slot = this.#vouchers.findByUsername(username);
    return slot < 0 ? undefined : this.#vouchers.voucher(slot);
  }

  /**
   * The full set from a reconcile, swapped in at once: a request sees the old set or the new one, never a mix. A bad
   * entry throws before anything changes. Entries not newer than a revoke are left out.
   */
  replaceAll(list: readonly VoucherInput[]): void {
    const set = new VoucherSet();
    set.add(list);
    this.commit(set);
  }

  /** Swaps in a complete set (see replaceAll); vouchers not in it are gone from now on. */
  commit(set: VoucherSet): void {
    const table = set.table;
    for (const [id, tomb] of this.#tombstones) {
      const slot = table.findById(id);
      if (slot >= 0 && table.version(slot) <= tomb.version) table.remove(slot);
    }
    for (const username of [...this.#revokedUsernames.keys()]) {
      if (table.findByUsername(username) >= 0) this.#revokedUsernames.delete(username);
    }
    this.#vouchers = table;
  }

  /** Adds or replaces a voucher; false when a newer version (or a revoke at least as new) is already known. */
  upsert(input: VoucherInput): boolean {
    const voucher = toVoucher(input);
    const table = this.#vouchers;
    const existing = table.findById(voucher.id);
    if (existing >= 0 && table.version(existing) >= voucher.version) return false;
    const tomb = this.#tombstones.get(voucher.id);
    if (tomb && voucher.version <= tomb.version) return false;
    if (existing >= 0) table.remove(existing);
    const holder = table.findByUsername(voucher.username);
    if (holder >= 0) table.remove(holder);
    table.insert(voucher);
    this.#revokedUsernames.delete(voucher.username);
    return true;
  }

  /** Removes a voucher unless a newer version is held; returns what was removed. The revoke is remembered either way. */
  revoke(id: string, version: number, now: number = Date.now()): Voucher | undefined {
    const table = this.#vouchers;
    const slot = table.findById(id);
    const existing = slot >= 0 ? table.voucher(slot) : undefined;
    if (existing && existing.version > version) return undefined;
    const tomb = this.#tombstones.get(id);
    if (!tomb || tomb.version < version) {
      this.#tombstones.set(id, { version, username: existing?.username ?? tomb?.username ?? null, at: now });
    }
    if (!existing) return undefined;
    table.remove(slot);
    this.#revokedUsernames.set(existing.username, id);
    return existing;
  }

  /**
   * Checks a login. `check` is called with the stored password's bytes (PAP: papCheck, CHAP: the MD5 response).
   * Validity is only reported after the password matched, so a guess learns nothing about a voucher's dates.
   */
  authenticate(username: string | Uint8Array, check: PasswordCheck, now: number = Date.now()): AuthResult {
    const table = this.#vouchers;
    const slot = table.findByUsername(username);
    if (slot < 0) {
      const name = typeof username === 'string' ? username : Buffer.from(username).toString('utf8');
      return { ok: false, reason: this.#revokedUsernames.has(name) ? 'revoked' : 'unknown_user' };
    }
    const voucher: VoucherSummary = {
      id: table.id(slot),
      username: table.username(slot),
      validFrom: table.validFrom(slot),
      validUntil: table.validUntil(slot),
      version: table.version(slot),
    };
    if (!check(table.password(slot))) return { ok: false, reason: 'bad_password', voucher };
    if (now + this.#clockSkewMs < voucher.validFrom) return { ok: false, reason: 'not_yet_valid', voucher };
    if (now >= voucher.validUntil) return { ok: false, reason: 'expired', voucher };
    return { ok: true, voucher };
  }

  /** Drops expired vouchers, old tombstones and sessions gone quiet; returns how many vouchers went. */
  sweep(now: number = Date.now()): number {
    let removed = 0;
    const table = this.#vouchers;
    for (const slot of table.slots()) {
      if (table.validUntil(slot) > now) continue;
      table.remove(slot);
      removed++;
    }
    for (const [id, tomb] of this.#tombstones) {
      if (now - tomb.at < this.#tombstoneTtlMs) continue;
      this.#tombstones.delete(id);
      if (tomb.username && this.#revokedUsernames.get(tomb.username) === id) {
        this.#revokedUsernames.delete(tomb.username);
      }
    }
    for (const [key, session] of this.#sessions) {
      if (now - session.updatedAt >= this.#staleSessionMs) this.#deleteSession(key, session);
    }
    return removed;
  }

  sessionStart(
    acctSessionId: string,
    voucherId: string | null,
    nas: NasInfo,
    usage: SessionUsage = {},
    now: number = Date.now(),
  ): Session {
    return this.#record(acctSessionId, voucherId, nas, usage, now, true);
  }

  /** An interim for a session never started here (the agent restarted) starts it. */
  sessionInterim(
    acctSessionId: string,
    voucherId: string | null,
    nas: NasInfo,
    usage: SessionUsage = {},
    now: number = Date.now(),
  ): Session {
    return this.#record(acctSessionId, voucherId, nas, usage, now, false);
  }

  /** Ends a session; returns it with the final usage, or undefined if it was unknown. */
  sessionStop(
    acctSessionId: string,
    voucherId: string | null,
    nas: NasInfo,
    usage: SessionUsage = {},
    now: number = Date.now(),
  ): Session | undefined {
    const key = sessionKey(nas.address, acctSessionId);
    const session = this.#sessions.get(key);
    if (!session) return undefined;
    this.#apply(session, voucherId, nas, usage, now);
    this.#deleteSession(key, session);
    return session;
  }

  /** Accounting-On/Off: the NAS restarted, so none of its sessions survive. Returns how many were ended. */
  endNasSessions(nasAddress: string): number {
    let ended = 0;
    for (const [key, session] of this.#sessions) {
      if (session.nas.address !== nasAddress) continue;
      this.#deleteSession(key, session);
      ended++;
    }
    return ended;
  }

  /** Live sessions of a voucher, for disconnecting them when it is revoked. */
  sessionsOf(voucherId: string): Session[] {
    const keys = this.#sessionsByVoucher.get(voucherId);
    if (!keys) return [];
    return [...keys].map((key) => this.#sessions.get(key)).filter((s): s is Session => s !== undefined);
  }

  #record(
    acctSessionId: string,
    voucherId: string | null,
    nas: NasInfo,
    usage: SessionUsage,
    now: number,
    restart: boolean,
  ): Session {
    const key = sessionKey(nas.address, acctSessionId);
    let session = this.#sessions.get(key);
    if (!session || restart) {
      if (session) this.#deleteSession(key, session);
      session = {
        acctSessionId,
        voucherId: null,
        nas,
        username: null,
        callingStationId: null,
        framedIp: null,
        startedAt: now,
        updatedAt: now,
        sessionTime: null,
        inputOctets: null,
        outputOctets: null,
      };
      this.#sessions.set(key, session);
    }
    this.#apply(session, voucherId, nas, usage, now);
    if (session.voucherId) {
      const keys = this.#sessionsByVoucher.get(session.voucherId) ?? new Set<string>();
      keys.add(key);
      this.#sessionsByVoucher.set(session.voucherId, keys);
    }
    return session;
  }

  #apply(session: Session, voucherId: string | null, nas: NasInfo, usage: SessionUsage, now: number): void {
    if (voucherId && !session.voucherId) session.voucherId = voucherId;
    session.nas = { ...session.nas, ...nas };
    session.username = usage.username ?? session.username;
    session.callingStationId = usage.callingStationId ?? session.callingStationId;
    session.framedIp = usage.framedIp ?? session.framedIp;
    session.sessionTime = usage.sessionTime ?? session.sessionTime;
    session.inputOctets = usage.inputOctets ?? session.inputOctets;
    session.outputOctets = usage.outputOctets ?? session.outputOctets;
    session.updatedAt = now;
  }

  #deleteSession(key: string, session: Session): void {
    this.#sessions.delete(key);
    if (!session.voucherId) return;
    const keys = this.#sessionsByVoucher.get(session.voucherId);
    keys?.delete(key);
    if (keys?.size === 0) this.#sessionsByVoucher.delete(session.voucherId);
  }
}
