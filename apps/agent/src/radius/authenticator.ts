import { timingSafeEqual } from 'node:crypto';
import { Attr } from './attributes';
import { type HmacMd5Key, hmacMd5Into, hmacMd5Key, md5, md5Into, zeros } from './md5';
import { AUTHENTICATOR_LENGTH, attributeValueOffsets, HEADER_LENGTH } from './packet';

/** The MD5 and HMAC-MD5 math of RFC 2865 §3/§5.2/§5.3, RFC 2866 §3, RFC 2869/3579 §3.2 and RFC 5176 §2.3. */

export type Secret = string | Buffer;

export const ZERO_AUTHENTICATOR = Buffer.alloc(AUTHENTICATOR_LENGTH);
const MAX_PASSWORD_LENGTH = 128;

function secretBytes(secret: Secret): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
}

/** HMAC keys by secret: a server signs every packet with the same one, so its padded blocks are hashed once. */
const buffersKeys = new WeakMap<Buffer, HmacMd5Key>();
const stringKeys = new Map<string, HmacMd5Key>();

function hmacKey(secret: Secret): HmacMd5Key {
  if (typeof secret !== 'string') {
    const known = buffersKeys.get(secret);
    if (known) return known;
    const key = hmacMd5Key(secret);
    buffersKeys.set(secret, key);
    return key;
  }
  const known = stringKeys.get(secret);
  if (known) return known;
  if (stringKeys.size >= 64) stringKeys.clear();
  const key = hmacMd5Key(Buffer.from(secret, 'utf8'));
  stringKeys.set(secret, key);
  return key;
}

/** The packet's length up to its Length field: padding after it is not covered by any authenticator. */
function lengthOf(raw: Buffer): number {
  return Math.min(raw.length, raw.readUInt16BE(2));
}

const digest = Buffer.alloc(AUTHENTICATOR_LENGTH);
const mask = new Uint8Array(AUTHENTICATOR_LENGTH);

/** RFC 2865 §5.2: c(i) = p(i) xor MD5(S + c(i-1)), c(0) chained from the Request Authenticator. */
export function hidePassword(password: Buffer | string, secret: Secret, requestAuthenticator: Buffer): Buffer {
  const plain = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (plain.length > MAX_PASSWORD_LENGTH) throw new RangeError('User-Password is longer than 128 octets');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(plain.length / 16) * 16));
  plain.copy(padded);
  const key = secretBytes(secret);
  const out = Buffer.alloc(padded.length);
  let previous = requestAuthenticator;
  for (let block = 0; block < padded.length; block += 16) {
    const mask = md5({ data: key }, { data: previous });
    for (let i = 0; i < 16; i++) out[block + i] = padded[block + i]! ^ mask[i]!;
    previous = out.subarray(block, block + 16);
  }
  return out;
}

/** Reverses hidePassword; undefined when the hidden value is not 16..128 octets in whole blocks. NULs at the end go. */
export function unhidePassword(hidden: Buffer, secret: Secret, requestAuthenticator: Buffer): Buffer | undefined {
  if (hidden.length < 16 || hidden.length > MAX_PASSWORD_LENGTH || hidden.length % 16 !== 0) return undefined;
  const key = secretBytes(secret);
  const out = Buffer.allocUnsafe(hidden.length);
  for (let block = 0; block < hidden.length; block += 16) {
    const previous = block === 0 ? { data: requestAuthenticator } : { data: hidden, start: block - 16, end: block };
    md5Into([{ data: key }, previous], mask, 0);
    for (let i = 0; i < 16; i++) out[block + i] = hidden[block + i]! ^ mask[i]!;
  }
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}

/** CHAP-Password value: CHAP Ident followed by MD5(Ident + password + challenge) (RFC 1994, RFC 2865 §5.3). */
export function chapPassword(ident: number, password: Buffer | string, challenge: Buffer): Buffer {
  const plain = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  const id = Buffer.of(ident);
  return Buffer.concat([id, md5({ data: id }, { data: plain }, { data: challenge })]);
}

/** Checks a 17-octet CHAP-Password against the clear-text password in constant time. */
export function verifyChapPassword(value: Buffer, password: Buffer | string, challenge: Buffer): boolean {
  if (value.length !== 17) return false;
  const expected = chapPassword(value[0]!, password, challenge);
  return timingSafeEqual(expected, value);
}

/**
 * Checks the Message-Authenticator (HMAC-MD5 over the packet with the attribute zeroed) with `vector` in the
 * Authenticator field: the request's own authenticator for an Access-Request, the request's authenticator for a
 * response, zeros for Accounting, Disconnect and CoA requests. More than one, or one of the wrong size, is invalid.
 */
export function checkMessageAuthenticator(raw: Buffer, secret: Secret, vector: Buffer): 'absent' | 'valid' | 'invalid' {
  const offsets = attributeValueOffsets(raw, Attr.MessageAuthenticator);
  if (offsets.length === 0) return 'absent';
  const offset = offsets[0]!;
  if (offsets.length > 1 || raw[offset - 1] !== 2 + AUTHENTICATOR_LENGTH) return 'invalid';
  const end = offset + AUTHENTICATOR_LENGTH;
  // The packet as it was signed, without copying it: `vector` in the Authenticator field, zeros in the attribute.
  hmacMd5Into(
    hmacKey(secret),
    [
      { data: raw, start: 0, end: 4 },
      { data: vector },
      { data: raw, start: HEADER_LENGTH, end: offset },
      zeros(AUTHENTICATOR_LENGTH),
      { data: raw, start: end, end: lengthOf(raw) },
    ],
    digest,
  );
  return timingSafeEqual(digest, raw.subarray(offset, end)) ? 'valid' : 'invalid';
}

function fillMessageAuthenticator(packet: Buffer, secret: Secret): void {
  const offsets = attributeValueOffsets(packet, Attr.MessageAuthenticator);
  if (offsets.length === 0) return;
  if (offsets.length > 1) throw new RangeError('a packet carries at most one Message-Authenticator');
  const offset = offsets[0]!;
  if (packet[offset - 1] !== 2 + AUTHENTICATOR_LENGTH) throw new RangeError('Message-Authenticator must be 16 octets');
  packet.fill(0, offset, offset + AUTHENTICATOR_LENGTH);
  hmacMd5Into(hmacKey(secret), [{ data: packet }], packet, offset);
}

/**
 * Signs an encoded response in place: Message-Authenticator (if the packet has one) over the response with the
 * request's authenticator in the header, then Response Authenticator = MD5(Code+Id+Length+RequestAuth+Attributes+S).
 */
export function signResponse(raw: Buffer, requestAuthenticator: Buffer, secret: Secret): Buffer {
  requestAuthenticator.copy(raw, 4);
  fillMessageAuthenticator(raw, secret);
  md5Into([{ data: raw, end: lengthOf(raw) }, { data: secretBytes(secret) }], raw, 4);
  return raw;
}

/**
 * Signs an encoded Accounting-, Disconnect- or CoA-Request in place (RFC 2866 §3, RFC 5176 §2.3): the
 * Message-Authenticator over the packet with a zero authenticator, then Request Authenticator = MD5(packet + S).
 */
export function signRequest(raw: Buffer, secret: Secret): Buffer {
  ZERO_AUTHENTICATOR.copy(raw, 4);
  fillMessageAuthenticator(raw, secret);
  md5Into([{ data: raw, end: lengthOf(raw) }, { data: secretBytes(secret) }], raw, 4);
  return raw;
}

/** Fills the Message-Authenticator of an Access-Request whose random Request Authenticator is already in place. */
export function signAccessRequest(raw: Buffer, secret: Secret): Buffer {
  fillMessageAuthenticator(raw, secret);
  return raw;
}

/** Checks the Request Authenticator of an Accounting-, Disconnect- or CoA-Request. */
export function verifyRequestAuthenticator(raw: Buffer, secret: Secret): boolean {
  return verifyAuthenticator(raw, ZERO_AUTHENTICATOR, secret);
}

/** Checks the Response Authenticator of a reply to the request whose authenticator is given. */
export function verifyResponseAuthenticator(raw: Buffer, requestAuthenticator: Buffer, secret: Secret): boolean {
  return verifyAuthenticator(raw, requestAuthenticator, secret);
}

/** MD5 over the packet with `vector` in the Authenticator field, then the secret, against the field itself. */
function verifyAuthenticator(raw: Buffer, vector: Buffer, secret: Secret): boolean {
  if (raw.length < HEADER_LENGTH) return false;
  const length = lengthOf(raw);
  if (length < HEADER_LENGTH) return false;
  md5Into(
    [
      { data: raw, start: 0, end: 4 },
      { data: vector },
      { data: raw, start: HEADER_LENGTH, end: length },
      { data: secretBytes(secret) },
    ],
    digest,
    0,
  );
  return timingSafeEqual(digest, raw.subarray(4, HEADER_LENGTH));
}
