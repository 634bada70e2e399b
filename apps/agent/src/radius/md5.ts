/**
 * MD5 (RFC 1321) and HMAC-MD5 (RFC 2104) for RADIUS's authenticators. RADIUS hashes inputs of one to three 64-octet
 * blocks, where a node:crypto call costs several times the hashing itself (a native object, a result buffer, and a
 * copy to put the pieces in one buffer). Here the pieces are fed in place, the packet is never copied, and an HMAC key's
 * padded blocks are hashed once per secret. MD5 is what the protocol fixes, not a choice made here; the tests hold this
 * against node:crypto on random inputs.
 */

const K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
const INITIAL = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476);
const BLOCK = 64;

export interface Md5Input {
  data: Uint8Array;
  start?: number;
  end?: number;
}

/** A reusable MD5 state: reset, update with slices, finish into a buffer. Not reentrant; one per module is enough. */
class Md5 {
  readonly #state = new Int32Array(4);
  readonly #block = new Uint8Array(BLOCK);
  readonly #words = new Int32Array(16);
  #filled = 0;
  #length = 0;

  /** Starts from the initial state, or from a saved one that has already consumed `consumed` octets. */
  reset(from: Int32Array = INITIAL, consumed = 0): this {
    this.#state.set(from);
    this.#filled = 0;
    this.#length = consumed;
    return this;
  }

  update(data: Uint8Array, start = 0, end = data.length): this {
    this.#length += end - start;
    let i = start;
    if (this.#filled > 0) {
      while (i < end && this.#filled < BLOCK) this.#block[this.#filled++] = data[i++]!;
      if (this.#filled < BLOCK) return this;
      this.#compress(this.#block, 0);
      this.#filled = 0;
    }
    for (; i + BLOCK <= end; i += BLOCK) this.#compress(data, i);
    while (i < end) this.#block[this.#filled++] = data[i++]!;
    return this;
  }

  /** Feeds `count` zero octets (the zeroed Message-Authenticator or Authenticator field). */
  zeros(count: number): this {
    return this.update(ZEROS, 0, count);
  }

  /** The state after whole blocks only, for HMAC key precomputation. */
  snapshot(): Int32Array {
    if (this.#filled !== 0) throw new Error('snapshot needs whole blocks');
    return Int32Array.from(this.#state);
  }

  finish(out: Uint8Array, offset = 0): Uint8Array {
    const bits = this.#length * 8;
    this.#block[this.#filled++] = 0x80;
    if (this.#filled > BLOCK - 8) {
      this.#block.fill(0, this.#filled);
      this.#compress(this.#block, 0);
      this.#filled = 0;
    }
    this.#block.fill(0, this.#filled, BLOCK - 8);
    const low = bits >>> 0;
    const high = Math.floor(bits / 2 ** 32) >>> 0;
    for (let b = 0; b < 4; b++) {
      this.#block[BLOCK - 8 + b] = (low >>> (8 * b)) & 0xff;
      this.#block[BLOCK - 4 + b] = (high >>> (8 * b)) & 0xff;
    }
    this.#compress(this.#block, 0);
    for (let w = 0; w < 4; w++) {
      const v = this.#state[w]!;
      out[offset + 4 * w] = v & 0xff;
      out[offset + 4 * w + 1] = (v >>> 8) & 0xff;
      out[offset + 4 * w + 2] = (v >>> 16) & 0xff;
      out[offset + 4 * w + 3] = (v >>> 24) & 0xff;
    }
    return out;
  }

  #compress(data: Uint8Array, at: number): void {
    const m = this.#words;
    for (let w = 0; w < 16; w++) {
      const o = at + 4 * w;
      m[w] = data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
    }
    const s = this.#state;
    let a = s[0]!;
    let b = s[1]!;
    let c = s[2]!;
    let d = s[3]!;
    let t: number;
    for (let i = 0; i < 16; i++) {
      t = (a + ((b & c) | (~b & d)) + K[i]! + m[i]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((t << R1[i & 3]!) | (t >>> (32 - R1[i & 3]!)))) | 0;
    }
    for (let i = 16; i < 32; i++) {
      t = (a + ((d & b) | (~d & c)) + K[i]! + m[(5 * i + 1) & 15]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((t << R2[i & 3]!) | (t >>> (32 - R2[i & 3]!)))) | 0;
    }
    for (let i = 32; i < 48; i++) {
      t = (a + (b ^ c ^ d) + K[i]! + m[(3 * i + 5) & 15]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((t << R3[i & 3]!) | (t >>> (32 - R3[i & 3]!)))) | 0;
    }
    for (let i = 48; i < 64; i++) {
      t = (a + (c ^ (b | ~d)) + K[i]! + m[(7 * i) & 15]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((t << R4[i & 3]!) | (t >>> (32 - R4[i & 3]!)))) | 0;
    }
    s[0] = (s[0]! + a) | 0;
    s[1] = (s[1]! + b) | 0;
    s[2] = (s[2]! + c) | 0;
    s[3] = (s[3]! + d) | 0;
  }
}

const R1 = Uint8Array.of(7, 12, 17, 22);
const R2 = Uint8Array.of(5, 9, 14, 20);
const R3 = Uint8Array.of(4, 11, 16, 23);
const R4 = Uint8Array.of(6, 10, 15, 21);
const ZEROS = new Uint8Array(BLOCK);

const shared = new Md5();

/** MD5 of the concatenated slices, into a new 16-octet buffer. */
export function md5(...inputs: Md5Input[]): Buffer {
  shared.reset();
  for (const input of inputs) feed(input);
  return shared.finish(Buffer.allocUnsafe(16)) as Buffer;
}

function feed(input: Md5Input): void {
  if (input.data === ZEROS) shared.zeros(input.end ?? 0);
  else shared.update(input.data, input.start ?? 0, input.end ?? input.data.length);
}

/** `count` zero octets as an input slice. */
export function zeros(count: number): Md5Input {
  return { data: ZEROS, start: 0, end: count };
}

/** An HMAC-MD5 key with its inner and outer padded blocks already hashed. */
export interface HmacMd5Key {
  inner: Int32Array;
  outer: Int32Array;
}

export function hmacMd5Key(secret: Uint8Array): HmacMd5Key {
  const key = secret.length > BLOCK ? md5({ data: secret }) : secret;
  const pad = new Uint8Array(BLOCK);
  pad.fill(0x36);
  for (let i = 0; i < key.length; i++) pad[i]! ^= key[i]!;
  const inner = shared.reset().update(pad).snapshot();
  pad.fill(0x5c);
  for (let i = 0; i < key.length; i++) pad[i]! ^= key[i]!;
  const outer = shared.reset().update(pad).snapshot();
  return { inner, outer };
}

const innerDigest = new Uint8Array(16);

/** HMAC-MD5 of the concatenated slices, written into `out` at `offset`. */
export function hmacMd5Into(key: HmacMd5Key, inputs: Md5Input[], out: Uint8Array, offset = 0): Uint8Array {
  shared.reset(key.inner, BLOCK);
  for (const input of inputs) feed(input);
  shared.finish(innerDigest);
  shared.reset(key.outer, BLOCK).update(innerDigest);
  return shared.finish(out, offset);
}
