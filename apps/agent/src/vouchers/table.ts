/**
 * Vouchers packed into a few typed arrays: 100k of them take about 12 MB instead of the ~45 MB that one object, three
 * strings and two Map entries each cost. Id, username and password live as UTF-8 in one byte arena; times and versions
 * in Float64Arrays; two open-addressing hash indexes (linear probing, backward-shift deletion) find a slot by id or by
 * username without building a string. A slot keeps its number until it is removed.
 */

/** The fields of one voucher as the table holds them (times in epoch ms). */
export interface PackedVoucher {
  id: string;
  username: string;
  password: string;
  validFrom: number;
  validUntil: number;
  version: number;
}

/** Longest id or username the table takes (the protocol allows 253-octet usernames). */
export const MAX_KEY_BYTES = 1024;
const MAX_FIELD_BYTES = 0xffff;
const EMPTY = 0;

const keyScratch = Buffer.allocUnsafe(MAX_KEY_BYTES);

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  // FNV-1a, 32 bits.
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h | 0;
}

/** A key as bytes: a Uint8Array as given, a string encoded into a shared scratch buffer (valid until the next call). */
function keyBytes(key: string | Uint8Array): Uint8Array | undefined {
  if (typeof key !== 'string') return key.length <= MAX_KEY_BYTES ? key : undefined;
  if (key.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return undefined;
  const length = keyScratch.write(key, 0, 'utf8');
  return keyScratch.subarray(0, length);
}

/** One hash index over a field of the arena: table entries are slot + 1, 0 is empty. */
class Index {
  table: Int32Array;
  mask: number;
  readonly hashes: Int32Array;

  constructor(
    capacity: number,
    private readonly field: 0 | 1,
  ) {
    const size = indexSize(capacity);
    this.table = new Int32Array(size);
    this.mask = size - 1;
    this.hashes = new Int32Array(capacity);
  }

  find(owner: VoucherTable, key: Uint8Array, hash: number): number {
    const { table, mask } = this;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = table[at]!;
      if (entry === EMPTY) return -1;
      const slot = entry - 1;
      if (this.hashes[slot] === hash && owner.fieldEquals(slot, this.field, key)) return slot;
    }
  }

  add(slot: number, hash: number): void {
    this.hashes[slot] = hash;
    const { table, mask } = this;
    let at = hash & mask;
    while (table[at] !== EMPTY) at = (at + 1) & mask;
    table[at] = slot + 1;
  }

  remove(slot: number): void {
    const { table, mask } = this;
    let at = this.hashes[slot]! & mask;
    while (table[at] !== slot + 1) at = (at + 1) & mask;
    // Backward shift: pull later entries of the run into the hole, so lookups never need tombstones.
    let hole = at;
    for (let next = (hole + 1) & mask; table[next] !== EMPTY; next = (next + 1) & mask) {
      const home = this.hashes[table[next]! - 1]! & mask;
      const between = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (between) continue;
      table[hole] = table[next]!;
      hole = next;
    }
    table[hole] = EMPTY;
  }

  /** Rebuilt for a new slot capacity; the hashes of live slots carry over. */
  resize(capacity: number, live: Iterable<number>): Index {
    const grown = new Index(capacity, this.field);
    for (const slot of live) grown.add(slot, this.hashes[slot]!);
    return grown;
  }
}

/** A power of two at least twice the slot capacity: the load stays at or under one half. */
function indexSize(capacity: number): number {
  let size = 16;
  while (size < capacity * 2) size *= 2;
  return size;
}

export class VoucherTable {
  #count = 0;
  /** Slots below this have been used at least once; free ones among them are in #free. */
  #highWater = 0;
  #capacity: number;
  #free: number[] = [];
  /** Slot is in use: 1, free: 0. */
  #used: Uint8Array;
  #offset: Uint32Array;
  /** Byte lengths of id, username and password, three per slot. */
  #lengths: Uint16Array;
  #validFrom: Float64Array;
  #validUntil: Float64Array;
  #version: Float64Array;
  #arena: Buffer;
  #arenaEnd = 0;
  #garbage = 0;
  #byId: Index;
  #byUsername: Index;

  constructor(capacity = 64) {
    this.#capacity = Math.max(16, capacity);
    this.#used = new Uint8Array(this.#capacity);
    this.#offset = new Uint32Array(this.#capacity);
    this.#lengths = new Uint16Array(this.#capacity * 3);
    this.#validFrom = new Float64Array(this.#capacity);
    this.#validUntil = new Float64Array(this.#capacity);
    this.#version = new Float64Array(this.#capacity);
    this.#arena = Buffer.alloc(this.#capacity * 64);
    this.#byId = new Index(this.#capacity, 0);
    this.#byUsername = new Index(this.#capacity, 1);
  }

  get size(): number {
    return this.#count;
  }

  /** Live slots, in no particular order; removing the slot just yielded is safe. */
  *slots(): IterableIterator<number> {
    for (let slot = 0; slot < this.#highWater; slot++) if (this.#used[slot] === 1) yield slot;
  }

  findById(id: string | Uint8Array): number {
    const key = keyBytes(id);
    return key ? this.#byId.find(this, key, hashBytes(key, 0, key.length)) : -1;
  }

  findByUsername(username: string | Uint8Array): number {
    const key = keyBytes(username);
    return key ? this.#byUsername.find(this, key, hashBytes(key, 0, key.length)) : -1;
  }

  /** Adds a voucher whose id and username are both absent (the caller removes holders first); returns its slot. */
  insert(voucher: PackedVoucher): number {
    const most = 3 * (voucher.id.length + voucher.username.length + voucher.password.length);
    if (this.#arenaEnd + most > this.#arena.length) this.#makeRoom(most);
    const arena = this.#arena;
    const at = this.#arenaEnd;
    const idLength = arena.write(voucher.id, at, 'utf8');
    const usernameLength = arena.write(voucher.username, at + idLength, 'utf8');
    const passwordLength = arena.write(voucher.password, at + idLength + usernameLength, 'utf8');
    if (idLength > MAX_KEY_BYTES || usernameLength > MAX_KEY_BYTES || passwordLength > MAX_FIELD_BYTES) {
      throw new RangeError('voucher id, username or password is too long');
    }
    if (this.#free.length === 0 && this.#highWater === this.#capacity)
      this.#grow(this.#capacity + (this.#capacity >> 1));
    const slot = this.#free.pop() ?? this.#highWater++;
    this.#arenaEnd = at + idLength + usernameLength + passwordLength;
    this.#offset[slot] = at;
    this.#lengths[3 * slot] = idLength;
    this.#lengths[3 * slot + 1] = usernameLength;
    this.#lengths[3 * slot + 2] = passwordLength;
    this.#validFrom[slot] = voucher.validFrom;
    this.#validUntil[slot] = voucher.validUntil;
    this.#version[slot] = voucher.version;
    this.#used[slot] = 1;
    this.#byId.add(slot, hashBytes(arena, at, at + idLength));
    this.#byUsername.add(slot, hashBytes(arena, at + idLength, at + idLength + usernameLength));
    this.#count++;
    return slot;
  }

  remove(slot: number): void {
    if (this.#used[slot] !== 1) return;
    this.#byId.remove(slot);
    this.#byUsername.remove(slot);
    this.#used[slot] = 0;
    this.#garbage += this.#lengths[3 * slot]! + this.#lengths[3 * slot + 1]! + this.#lengths[3 * slot + 2]!;
    this.#free.push(slot);
    this.#count--;
  }

  validFrom(slot: number): number {
    return this.#validFrom[slot]!;
  }

  validUntil(slot: number): number {
    return this.#validUntil[slot]!;
  }

  version(slot: number): number {
    return this.#version[slot]!;
  }

  id(slot: number): string {
    const at = this.#offset[slot]!;
    return this.#arena.toString('utf8', at, at + this.#lengths[3 * slot]!);
  }

  username(slot: number): string {
    const at = this.#offset[slot]! + this.#lengths[3 * slot]!;
    return this.#arena.toString('utf8', at, at + this.#lengths[3 * slot + 1]!);
  }

  /** The stored password's bytes, a view into the arena: read it before the next insert. */
  password(slot: number): Buffer {
    const at = this.#offset[slot]! + this.#lengths[3 * slot]! + this.#lengths[3 * slot + 1]!;
    return this.#arena.subarray(at, at + this.#lengths[3 * slot + 2]!);
  }

  voucher(slot: number): PackedVoucher {
    return {
      id: this.id(slot),
      username: this.username(slot),
      password: this.password(slot).toString('utf8'),
      validFrom: this.#validFrom[slot]!,
      validUntil: this.#validUntil[slot]!,
      version: this.#version[slot]!,
    };
  }

  /** Whether field 0 (id) or 1 (username) of `slot` holds exactly `key`. */
  fieldEquals(slot: number, field: 0 | 1, key: Uint8Array): boolean {
    const length = this.#lengths[3 * slot + field]!;
    if (length !== key.length) return false;
    const at = this.#offset[slot]! + (field === 1 ? this.#lengths[3 * slot]! : 0);
    const arena = this.#arena;
    for (let i = 0; i < length; i++) if (arena[at + i] !== key[i]) return false;
    return true;
  }

  #grow(capacity: number): void {
    const live = [...this.slots()];
    const widen = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(old: T, make: (n: number) => T) => {
      const next = make(capacity * (old.length / this.#capacity));
      next.set(old);
      return next;
    };
    this.#used = widen(this.#used, (n) => new Uint8Array(n));
    this.#offset = widen(this.#offset, (n) => new Uint32Array(n));
    this.#lengths = widen(this.#lengths, (n) => new Uint16Array(n));
    this.#validFrom = widen(this.#validFrom, (n) => new Float64Array(n));
    this.#validUntil = widen(this.#validUntil, (n) => new Float64Array(n));
    this.#version = widen(this.#version, (n) => new Float64Array(n));
    this.#byId = this.#byId.resize(capacity, live);
    this.#byUsername = this.#byUsername.resize(capacity, live);
    this.#capacity = capacity;
  }

  /** Copies the live records into a new arena with room for `bytes` more and a quarter spare. */
  #makeRoom(bytes: number): void {
    const needed = this.#arenaEnd - this.#garbage + bytes;
    const arena = Buffer.alloc(Math.max(this.#arena.length, needed + (needed >> 2)));
    let end = 0;
    for (let slot = 0; slot < this.#highWater; slot++) {
      if (this.#used[slot] !== 1) continue;
      const at = this.#offset[slot]!;
      const length = this.#lengths[3 * slot]! + this.#lengths[3 * slot + 1]! + this.#lengths[3 * slot + 2]!;
      this.#arena.copy(arena, end, at, at + length);
      this.#offset[slot] = end;
      end += length;
    }
    this.#arena = arena;
    this.#arenaEnd = end;
    this.#garbage = 0;
  }
}
