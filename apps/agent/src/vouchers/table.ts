/**
 * Vouchers packed into a few typed arrays: 100k of them take about 12 MB instead of the ~45 MB that one object, three
 * strings and two Map entries each cost. Each voucher is a record in a byte arena (three 16-bit lengths, then username,
 * password and id as UTF-8) and 32 bytes of numbers (valid from, valid until, version, arena offset); two
 * open-addressing hash indexes (linear probing, backward-shift deletion) hold each entry's hash beside its slot. A login
 * so touches about three cache lines whatever the store's size: the index entry, the numbers and the record. A slot
 * keeps its number until it is removed.
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
const HEADER = 6;
/** Numbers per slot: valid from, valid until, version, arena offset (-1: the slot is free). */
const STRIDE = 4;
const FREE = -1;

const ID = 0;
const USERNAME = 1;
type Field = typeof ID | typeof USERNAME;

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

/** A power of two at least twice `capacity`: the load stays at or under one half. */
function indexSize(capacity: number): number {
  let size = 16;
  while (size < capacity * 2) size *= 2;
  return size;
}

/** One hash index: pairs of (hash, slot + 1), 0 in the second place for an empty entry. */
class Index {
  readonly entries: Int32Array;
  readonly mask: number;

  constructor(capacity: number) {
    const size = indexSize(capacity);
    this.entries = new Int32Array(2 * size);
    this.mask = size - 1;
  }

  add(slot: number, hash: number): void {
    const { entries, mask } = this;
    let at = hash & mask;
    while (entries[2 * at + 1] !== 0) at = (at + 1) & mask;
    entries[2 * at] = hash;
    entries[2 * at + 1] = slot + 1;
  }

  remove(slot: number, hash: number): void {
    const { entries, mask } = this;
    let at = hash & mask;
    while (entries[2 * at + 1] !== slot + 1) at = (at + 1) & mask;
    // Backward shift: pull later entries of the run into the hole, so lookups never need tombstones.
    let hole = at;
    for (let next = (hole + 1) & mask; entries[2 * next + 1] !== 0; next = (next + 1) & mask) {
      const home = entries[2 * next]! & mask;
      const between = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (between) continue;
      entries[2 * hole] = entries[2 * next]!;
      entries[2 * hole + 1] = entries[2 * next + 1]!;
      hole = next;
    }
    entries[2 * hole + 1] = 0;
  }

  /** The same entries in an index sized for `capacity` slots. */
  resized(capacity: number): Index {
    const grown = new Index(capacity);
    for (let i = 1; i < this.entries.length; i += 2) {
      if (this.entries[i] !== 0) grown.add(this.entries[i]! - 1, this.entries[i - 1]!);
    }
    return grown;
  }
}

export class VoucherTable {
  #count = 0;
  /** Slots below this have been used at least once; free ones among them are in #free. */
  #highWater = 0;
  #capacity: number;
  #free: number[] = [];
  #numbers: Float64Array;
  #arena: Buffer;
  #arenaEnd = 0;
  #garbage = 0;
  #byId: Index;
  #byUsername: Index;

  constructor(capacity = 64) {
    this.#capacity = Math.max(16, Math.ceil(capacity));
    this.#numbers = new Float64Array(this.#capacity * STRIDE).fill(FREE);
    this.#arena = Buffer.alloc(this.#capacity * 64);
    this.#byId = new Index(this.#capacity);
    this.#byUsername = new Index(this.#capacity);
  }

  get size(): number {
    return this.#count;
  }

  /** Live slots, in no particular order; removing the slot just yielded is safe. */
  *slots(): IterableIterator<number> {
    for (let slot = 0; slot < this.#highWater; slot++) if (this.#numbers[STRIDE * slot + 3] !== FREE) yield slot;
  }

  findById(id: string | Uint8Array): number {
    const key = keyBytes(id);
    return key ? this.#find(this.#byId, ID, key) : -1;
  }

  findByUsername(username: string | Uint8Array): number {
    const key = keyBytes(username);
    return key ? this.#find(this.#byUsername, USERNAME, key) : -1;
  }

  /** Adds a voucher whose id and username are both absent (the caller removes holders first); returns its slot. */
  insert(voucher: PackedVoucher): number {
    const most = HEADER + 3 * (voucher.id.length + voucher.username.length + voucher.password.length);
    if (this.#arenaEnd + most > this.#arena.length) this.#makeRoom(most);
    const arena = this.#arena;
    const at = this.#arenaEnd;
    const usernameLength = arena.write(voucher.username, at + HEADER, 'utf8');
    const passwordLength = arena.write(voucher.password, at + HEADER + usernameLength, 'utf8');
    const idLength = arena.write(voucher.id, at + HEADER + usernameLength + passwordLength, 'utf8');
    if (idLength > MAX_KEY_BYTES || usernameLength > MAX_KEY_BYTES || passwordLength > MAX_FIELD_BYTES) {
      throw new RangeError('voucher id, username or password is too long');
    }
    arena.writeUInt16LE(usernameLength, at);
    arena.writeUInt16LE(passwordLength, at + 2);
    arena.writeUInt16LE(idLength, at + 4);
    if (this.#free.length === 0 && this.#highWater === this.#capacity) {
      this.#grow(this.#capacity + (this.#capacity >> 1));
    }
    const slot = this.#free.pop() ?? this.#highWater++;
    this.#arenaEnd = at + HEADER + usernameLength + passwordLength + idLength;
    const numbers = this.#numbers;
    numbers[STRIDE * slot] = voucher.validFrom;
    numbers[STRIDE * slot + 1] = voucher.validUntil;
    numbers[STRIDE * slot + 2] = voucher.version;
    numbers[STRIDE * slot + 3] = at;
    this.#byId.add(slot, this.#hashOf(slot, ID));
    this.#byUsername.add(slot, this.#hashOf(slot, USERNAME));
    this.#count++;
    return slot;
  }

  remove(slot: number): void {
    const at = this.#numbers[STRIDE * slot + 3]!;
    if (at === FREE) return;
    this.#byId.remove(slot, this.#hashOf(slot, ID));
    this.#byUsername.remove(slot, this.#hashOf(slot, USERNAME));
    this.#garbage += this.#end(at) - at;
    this.#numbers[STRIDE * slot + 3] = FREE;
    this.#free.push(slot);
    this.#count--;
  }

  validFrom(slot: number): number {
    return this.#numbers[STRIDE * slot]!;
  }

  validUntil(slot: number): number {
    return this.#numbers[STRIDE * slot + 1]!;
  }

  version(slot: number): number {
    return this.#numbers[STRIDE * slot + 2]!;
  }

  id(slot: number): string {
    const [start, end] = this.#field(slot, ID);
    return this.#arena.toString('utf8', start, end);
  }

  username(slot: number): string {
    const [start, end] = this.#field(slot, USERNAME);
    return this.#arena.toString('utf8', start, end);
  }

  /** The stored password's bytes, a view into the arena: read it before the next insert. */
  password(slot: number): Buffer {
    const at = this.#numbers[STRIDE * slot + 3]!;
    const start = at + HEADER + this.#u16(at);
    return this.#arena.subarray(start, start + this.#u16(at + 2));
  }

  voucher(slot: number): PackedVoucher {
    return {
      id: this.id(slot),
      username: this.username(slot),
      password: this.password(slot).toString('utf8'),
      validFrom: this.validFrom(slot),
      validUntil: this.validUntil(slot),
      version: this.version(slot),
    };
  }

  #find(index: Index, field: Field, key: Uint8Array): number {
    const hash = hashBytes(key, 0, key.length);
    const { entries, mask } = index;
    const arena = this.#arena;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = entries[2 * at + 1]!;
      if (entry === 0) return -1;
      if (entries[2 * at] !== hash) continue;
      const slot = entry - 1;
      // The record's header, inline: this runs for every login.
      const record = this.#numbers[STRIDE * slot + 3]!;
      const usernameLength = arena[record]! | (arena[record + 1]! << 8);
      const length = field === USERNAME ? usernameLength : arena[record + 4]! | (arena[record + 5]! << 8);
      if (length !== key.length) continue;
      const start =
        field === USERNAME
          ? record + HEADER
          : record + HEADER + usernameLength + (arena[record + 2]! | (arena[record + 3]! << 8));
      let same = true;
      for (let i = 0; i < key.length && same; i++) same = arena[start + i] === key[i];
      if (same) return slot;
    }
  }

  #u16(at: number): number {
    return this.#arena[at]! | (this.#arena[at + 1]! << 8);
  }

  /** Where a slot's id or username lies in the arena, as [start, end). */
  #field(slot: number, field: Field): [number, number] {
    const at = this.#numbers[STRIDE * slot + 3]!;
    const usernameStart = at + HEADER;
    if (field === USERNAME) return [usernameStart, usernameStart + this.#u16(at)];
    const idStart = usernameStart + this.#u16(at) + this.#u16(at + 2);
    return [idStart, idStart + this.#u16(at + 4)];
  }

  #hashOf(slot: number, field: Field): number {
    const [start, end] = this.#field(slot, field);
    return hashBytes(this.#arena, start, end);
  }

  /** The end of the record that starts at `at`. */
  #end(at: number): number {
    return at + HEADER + this.#u16(at) + this.#u16(at + 2) + this.#u16(at + 4);
  }

  #grow(capacity: number): void {
    const numbers = new Float64Array(capacity * STRIDE).fill(FREE);
    numbers.set(this.#numbers);
    this.#numbers = numbers;
    this.#byId = this.#byId.resized(capacity);
    this.#byUsername = this.#byUsername.resized(capacity);
    this.#capacity = capacity;
  }

  /** Copies the live records into a new arena with room for `bytes` more and a quarter spare. */
  #makeRoom(bytes: number): void {
    const needed = this.#arenaEnd - this.#garbage + bytes;
    const arena = Buffer.alloc(Math.max(this.#arena.length, needed + (needed >> 2)));
    let end = 0;
    for (let slot = 0; slot < this.#highWater; slot++) {
      const at = this.#numbers[STRIDE * slot + 3]!;
      if (at === FREE) continue;
      const length = this.#end(at) - at;
      this.#arena.copy(arena, end, at, at + length);
      this.#numbers[STRIDE * slot + 3] = end;
      end += length;
    }
    this.#arena = arena;
    this.#arenaEnd = end;
    this.#garbage = 0;
  }
}
