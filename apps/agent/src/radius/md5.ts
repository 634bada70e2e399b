/**
 * MD5 (RFC 1321) and HMAC-MD5 (RFC 2104) for RADIUS's authenticators. RADIUS hashes inputs of one to three 64-octet
 * blocks, where a node:crypto call costs several times the hashing itself (a native object, a result buffer, and a
 * copy to put the pieces in one buffer). Here the pieces are fed in place, the packet is never copied, and an HMAC key's
 * padded blocks are hashed once per secret. MD5 is what the protocol fixes, not a choice made here; the tests hold this
 * against node:crypto on random inputs.
 */

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
    compress(this.#state, data, at);
  }
}

/** One MD5 block (RFC 1321 §3.4), unrolled with the message words in locals: several times faster than a loop. */
function compress(state: Int32Array, data: Uint8Array, at: number): void {
  const x0 = data[at + 0]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24);
  const x1 = data[at + 4]! | (data[at + 5]! << 8) | (data[at + 6]! << 16) | (data[at + 7]! << 24);
  const x2 = data[at + 8]! | (data[at + 9]! << 8) | (data[at + 10]! << 16) | (data[at + 11]! << 24);
  const x3 = data[at + 12]! | (data[at + 13]! << 8) | (data[at + 14]! << 16) | (data[at + 15]! << 24);
  const x4 = data[at + 16]! | (data[at + 17]! << 8) | (data[at + 18]! << 16) | (data[at + 19]! << 24);
  const x5 = data[at + 20]! | (data[at + 21]! << 8) | (data[at + 22]! << 16) | (data[at + 23]! << 24);
  const x6 = data[at + 24]! | (data[at + 25]! << 8) | (data[at + 26]! << 16) | (data[at + 27]! << 24);
  const x7 = data[at + 28]! | (data[at + 29]! << 8) | (data[at + 30]! << 16) | (data[at + 31]! << 24);
  const x8 = data[at + 32]! | (data[at + 33]! << 8) | (data[at + 34]! << 16) | (data[at + 35]! << 24);
  const x9 = data[at + 36]! | (data[at + 37]! << 8) | (data[at + 38]! << 16) | (data[at + 39]! << 24);
  const x10 = data[at + 40]! | (data[at + 41]! << 8) | (data[at + 42]! << 16) | (data[at + 43]! << 24);
  const x11 = data[at + 44]! | (data[at + 45]! << 8) | (data[at + 46]! << 16) | (data[at + 47]! << 24);
  const x12 = data[at + 48]! | (data[at + 49]! << 8) | (data[at + 50]! << 16) | (data[at + 51]! << 24);
  const x13 = data[at + 52]! | (data[at + 53]! << 8) | (data[at + 54]! << 16) | (data[at + 55]! << 24);
  const x14 = data[at + 56]! | (data[at + 57]! << 8) | (data[at + 58]! << 16) | (data[at + 59]! << 24);
  const x15 = data[at + 60]! | (data[at + 61]! << 8) | (data[at + 62]! << 16) | (data[at + 63]! << 24);
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  a = (a + ((b & c) | (~b & d)) + x0 + -680876936) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + ((a & b) | (~a & c)) + x1 + -389564586) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + ((d & a) | (~d & b)) + x2 + 606105819) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + ((c & d) | (~c & a)) + x3 + -1044525330) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + ((b & c) | (~b & d)) + x4 + -176418897) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + ((a & b) | (~a & c)) + x5 + 1200080426) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + ((d & a) | (~d & b)) + x6 + -1473231341) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + ((c & d) | (~c & a)) + x7 + -45705983) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + ((b & c) | (~b & d)) + x8 + 1770035416) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + ((a & b) | (~a & c)) + x9 + -1958414417) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + ((d & a) | (~d & b)) + x10 + -42063) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + ((c & d) | (~c & a)) + x11 + -1990404162) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + ((b & c) | (~b & d)) + x12 + 1804603682) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + ((a & b) | (~a & c)) + x13 + -40341101) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + ((d & a) | (~d & b)) + x14 + -1502002290) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + ((c & d) | (~c & a)) + x15 + 1236535329) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + ((d & b) | (~d & c)) + x1 + -165796510) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + ((c & a) | (~c & b)) + x6 + -1069501632) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + ((b & d) | (~b & a)) + x11 + 643717713) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + ((a & c) | (~a & d)) + x0 + -373897302) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + ((d & b) | (~d & c)) + x5 + -701558691) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + ((c & a) | (~c & b)) + x10 + 38016083) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + ((b & d) | (~b & a)) + x15 + -660478335) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + ((a & c) | (~a & d)) + x4 + -405537848) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + ((d & b) | (~d & c)) + x9 + 568446438) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + ((c & a) | (~c & b)) + x14 + -1019803690) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + ((b & d) | (~b & a)) + x3 + -187363961) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + ((a & c) | (~a & d)) + x8 + 1163531501) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + ((d & b) | (~d & c)) + x13 + -1444681467) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + ((c & a) | (~c & b)) + x2 + -51403784) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + ((b & d) | (~b & a)) + x7 + 1735328473) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + ((a & c) | (~a & d)) + x12 + -1926607734) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + (b ^ c ^ d) + x5 + -378558) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x8 + -2022574463) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x11 + 1839030562) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x14 + -35309556) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (b ^ c ^ d) + x1 + -1530992060) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x4 + 1272893353) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x7 + -155497632) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x10 + -1094730640) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (b ^ c ^ d) + x13 + 681279174) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x0 + -358537222) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x3 + -722521979) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x6 + 76029189) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (b ^ c ^ d) + x9 + -640364487) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x12 + -421815835) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x15 + 530742520) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x2 + -995338651) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x0 + -198630844) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x7 + 1126891415) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x14 + -1416354905) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x5 + -57434055) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x12 + 1700485571) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x3 + -1894986606) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x10 + -1051523) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x1 + -2054922799) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x8 + 1873313359) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x15 + -30611744) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x6 + -1560198380) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x13 + 1309151649) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x4 + -145523070) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x11 + -1120210379) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x2 + 718787259) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x9 + -343485551) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}

const ZEROS = new Uint8Array(BLOCK);

const shared = new Md5();

/** MD5 of the concatenated slices, into a new 16-octet buffer. */
export function md5(...inputs: Md5Input[]): Buffer {
  return md5Into(inputs, Buffer.allocUnsafe(16), 0) as Buffer;
}

/** MD5 of the concatenated slices, written into `out` at `offset` (which may lie inside an input: it is written last). */
export function md5Into(inputs: Md5Input[], out: Uint8Array, offset: number): Uint8Array {
  shared.reset();
  for (const input of inputs) feed(input);
  return shared.finish(out, offset);
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
