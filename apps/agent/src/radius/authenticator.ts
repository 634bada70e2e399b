import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { Attr } from './attributes';
import { AUTHENTICATOR_LENGTH, attributeValueOffsets, HEADER_LENGTH } from './packet';

/** The MD5 and HMAC-MD5 math of RFC 2865 §3/§5.2/§5.3, RFC 2866 §3, RFC 2869/3579 §3.2 and RFC 5176 §2.3. */

export type Secret = string | Buffer;

export const ZERO_AUTHENTICATOR = Buffer.alloc(AUTHENTICATOR_LENGTH);
const MAX_PASSWORD_LENGTH = 128;

function secretBytes(secret: Secret): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
}

/** One-shot hashing: a Hash object per call costs more than copying a request's few dozen octets into one buffer. */
function md5(first: Buffer, second: Buffer, third?: Buffer): Buffer {
  return hash('md5', third ? Buffer.concat([first, second, third]) : Buffer.concat([first, second]), 'buffer');
}

/** The packet up to its Length field: padding after it is not covered by any authenticator. */
function withinLength(raw: Buffer): Buffer {
  return raw.subarray(0, Math.min(raw.length, raw.readUInt16BE(2)));
}

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
    const mask = md5(key, previous);
    for (let i = 0; i < 16; i++) out[block + i] = padded[block + i]! ^ mask[i]!;
    previous = out.subarray(block, block + 16);
  }
  return out;
}

/** Reverses hidePassword; undefined when the hidden value is not 16..128 octets in whole blocks. NULs at the end go. */
export function unhidePassword(hidden: Buffer, secret: Secret, requestAuthenticator: Buffer): Buffer | undefined {
  if (hidden.length < 16 || hidden.length > MAX_PASSWORD_LENGTH || hidden.length % 16 !== 0) return undefined;
  const key = secretBytes(secret);
  const out = Buffer.alloc(hidden.length);
  let previous = requestAuthenticator;
  for (let block = 0; block < hidden.length; block += 16) {
    const mask = md5(key, previous);
    for (let i = 0; i < 16; i++) out[block + i] = hidden[block + i]! ^ mask[i]!;
    previous = hidden.subarray(block, block + 16);
  }
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}

/** CHAP-Password value: CHAP Ident followed by MD5(Ident + password + challenge) (RFC 1994, RFC 2865 §5.3). */
export function chapPassword(ident: number, password: Buffer | string, challenge: Buffer): Buffer {
  const plain = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  return Buffer.concat([Buffer.of(ident), md5(Buffer.of(ident), plain, challenge)]);
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
  const packet = Buffer.from(withinLength(raw));
  const offsets = attributeValueOffsets(packet, Attr.MessageAuthenticator);
  if (offsets.length === 0) return 'absent';
  const offset = offsets[0]!;
  if (offsets.length > 1 || packet[offset - 1] !== 2 + AUTHENTICATOR_LENGTH) return 'invalid';
  const received = Buffer.from(packet.subarray(offset, offset + AUTHENTICATOR_LENGTH));
  packet.fill(0, offset, offset + AUTHENTICATOR_LENGTH);
  vector.copy(packet, 4);
  const expected = createHmac('md5', secretBytes(secret)).update(packet).digest();
  return timingSafeEqual(expected, received) ? 'valid' : 'invalid';
}

function fillMessageAuthenticator(packet: Buffer, secret: Secret): void {
  const offsets = attributeValueOffsets(packet, Attr.MessageAuthenticator);
  if (offsets.length === 0) return;
  if (offsets.length > 1) throw new RangeError('a packet carries at most one Message-Authenticator');
  const offset = offsets[0]!;
  if (packet[offset - 1] !== 2 + AUTHENTICATOR_LENGTH) throw new RangeError('Message-Authenticator must be 16 octets');
  packet.fill(0, offset, offset + AUTHENTICATOR_LENGTH);
  createHmac('md5', secretBytes(secret)).update(packet).digest().copy(packet, offset);
}

/**
 * Signs an encoded response in place: Message-Authenticator (if the packet has one) over the response with the
 * request's authenticator in the header, then Response Authenticator = MD5(Code+Id+Length+RequestAuth+Attributes+S).
 */
export function signResponse(raw: Buffer, requestAuthenticator: Buffer, secret: Secret): Buffer {
  requestAuthenticator.copy(raw, 4);
  fillMessageAuthenticator(raw, secret);
  md5(raw, secretBytes(secret)).copy(raw, 4);
  return raw;
}

/**
 * Signs an encoded Accounting-, Disconnect- or CoA-Request in place (RFC 2866 §3, RFC 5176 §2.3): the
 * Message-Authenticator over the packet with a zero authenticator, then Request Authenticator = MD5(packet + S).
 */
export function signRequest(raw: Buffer, secret: Secret): Buffer {
  ZERO_AUTHENTICATOR.copy(raw, 4);
  fillMessageAuthenticator(raw, secret);
  md5(raw, secretBytes(secret)).copy(raw, 4);
  return raw;
}

/** Fills the Message-Authenticator of an Access-Request whose random Request Authenticator is already in place. */
export function signAccessRequest(raw: Buffer, secret: Secret): Buffer {
  fillMessageAuthenticator(raw, secret);
  return raw;
}

/** Checks the Request Authenticator of an Accounting-, Disconnect- or CoA-Request. */
export function verifyRequestAuthenticator(raw: Buffer, secret: Secret): boolean {
  const packet = Buffer.from(withinLength(raw));
  if (packet.length < HEADER_LENGTH) return false;
  const received = Buffer.from(packet.subarray(4, HEADER_LENGTH));
  ZERO_AUTHENTICATOR.copy(packet, 4);
  return timingSafeEqual(md5(packet, secretBytes(secret)), received);
}

/** Checks the Response Authenticator of a reply to the request whose authenticator is given. */
export function verifyResponseAuthenticator(raw: Buffer, requestAuthenticator: Buffer, secret: Secret): boolean {
  const packet = Buffer.from(withinLength(raw));
  if (packet.length < HEADER_LENGTH) return false;
  const received = Buffer.from(packet.subarray(4, HEADER_LENGTH));
  requestAuthenticator.copy(packet, 4);
  return timingSafeEqual(md5(packet, secretBytes(secret)), received);
}
