import { MAX_ATTRIBUTE_VALUE } from './attributes';

/** RADIUS packet codes (RFC 2865 §3, RFC 2866 §3, RFC 5176 §2.3). */
export const Code = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  DisconnectRequest: 40,
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoaRequest: 43,
  CoaAck: 44,
  CoaNak: 45,
} as const;
export type PacketCode = (typeof Code)[keyof typeof Code];

const knownCodes = new Set<number>(Object.values(Code));

export const HEADER_LENGTH = 20;
export const MIN_PACKET_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
export const AUTHENTICATOR_LENGTH = 16;

export interface RadiusAttribute {
  type: number;
  value: Buffer;
}

export interface RadiusPacket {
  code: number;
  identifier: number;
  authenticator: Buffer;
  attributes: RadiusAttribute[];
}

export type RadiusDecodeErrorCode =
  | 'too_short'
  | 'too_long'
  | 'length_field_invalid'
  | 'truncated'
  | 'unknown_code'
  | 'attribute_header_overflow'
  | 'attribute_too_short'
  | 'attribute_overflow';

/** The only error decode() throws; `code` is stable for counters and logs. */
export class RadiusDecodeError extends Error {
  override name = 'RadiusDecodeError';
  constructor(
    readonly code: RadiusDecodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads one datagram. Octets after the Length field are padding and ignored (RFC 2865 §3). Attribute values and the
 * authenticator are copies, so the packet outlives a receive buffer that is reused; `copy: false` gives views into the
 * datagram instead, for a caller that owns it and never writes to it (each dgram message has a buffer of its own).
 */
export function decode(datagram: Buffer, copy = true): RadiusPacket {
  if (datagram.length < MIN_PACKET_LENGTH) {
    throw new RadiusDecodeError('too_short', `datagram of ${datagram.length} octets is shorter than 20`);
  }
  if (datagram.length > MAX_PACKET_LENGTH) {
    throw new RadiusDecodeError('too_long', `datagram of ${datagram.length} octets is longer than 4096`);
  }
  const length = datagram.readUInt16BE(2);
  if (length < MIN_PACKET_LENGTH || length > MAX_PACKET_LENGTH) {
    throw new RadiusDecodeError('length_field_invalid', `Length field ${length} is outside 20..4096`);
  }
  if (length > datagram.length) {
    throw new RadiusDecodeError('truncated', `Length field ${length} exceeds the ${datagram.length} octets received`);
  }
  const code = datagram[0]!;
  if (!knownCodes.has(code)) throw new RadiusDecodeError('unknown_code', `unknown packet code ${code}`);

  const attributes: RadiusAttribute[] = [];
  let offset = HEADER_LENGTH;
  while (offset < length) {
    if (length - offset < 2) {
      throw new RadiusDecodeError('attribute_header_overflow', `attribute header at ${offset} overflows the packet`);
    }
    const type = datagram[offset]!;
    const attrLength = datagram[offset + 1]!;
    if (attrLength < 2) {
      throw new RadiusDecodeError('attribute_too_short', `attribute ${type} at ${offset} has length ${attrLength}`);
    }
    if (offset + attrLength > length) {
      throw new RadiusDecodeError('attribute_overflow', `attribute ${type} at ${offset} overflows the packet`);
    }
    const value = datagram.subarray(offset + 2, offset + attrLength);
    attributes.push({ type, value: copy ? Buffer.from(value) : value });
    offset += attrLength;
  }
  return {
    code,
    identifier: datagram[1]!,
    authenticator: copy ? Buffer.from(datagram.subarray(4, HEADER_LENGTH)) : datagram.subarray(4, HEADER_LENGTH),
    attributes,
  };
}

/** decode() without the throw, for callers that count failures. */
export function tryDecode(
  datagram: Buffer,
  copy = true,
): { ok: true; packet: RadiusPacket } | { ok: false; error: RadiusDecodeError } {
  try {
    return { ok: true, packet: decode(datagram, copy) };
  } catch (error) {
    if (error instanceof RadiusDecodeError) return { ok: false, error };
    throw error;
  }
}

/** Writes a packet; the authenticator defaults to 16 zero octets (signing fills it in later). */
export function encode(packet: Omit<RadiusPacket, 'authenticator'> & { authenticator?: Buffer }): Buffer {
  if (!Number.isInteger(packet.code) || packet.code < 0 || packet.code > 255) {
    throw new RangeError(`packet code ${packet.code} is not an octet`);
  }
  if (!Number.isInteger(packet.identifier) || packet.identifier < 0 || packet.identifier > 255) {
    throw new RangeError(`identifier ${packet.identifier} is not an octet`);
  }
  const authenticator = packet.authenticator ?? Buffer.alloc(AUTHENTICATOR_LENGTH);
  if (authenticator.length !== AUTHENTICATOR_LENGTH) throw new RangeError('authenticator must be 16 octets');
  let length = HEADER_LENGTH;
  for (const { type, value } of packet.attributes) {
    if (!Number.isInteger(type) || type < 1 || type > 255) throw new RangeError(`attribute type ${type} is invalid`);
    if (value.length > MAX_ATTRIBUTE_VALUE) {
      throw new RangeError(`attribute ${type} value of ${value.length} octets exceeds ${MAX_ATTRIBUTE_VALUE}`);
    }
    length += 2 + value.length;
  }
  if (length > MAX_PACKET_LENGTH) throw new RangeError(`packet of ${length} octets exceeds ${MAX_PACKET_LENGTH}`);

  // Every octet is written below, so the buffer need not be zeroed (and small ones come from Node's pool).
  const out = Buffer.allocUnsafe(length);
  out[0] = packet.code;
  out[1] = packet.identifier;
  out.writeUInt16BE(length, 2);
  authenticator.copy(out, 4);
  let offset = HEADER_LENGTH;
  for (const { type, value } of packet.attributes) {
    out[offset] = type;
    out[offset + 1] = value.length + 2;
    value.copy(out, offset + 2);
    offset += value.length + 2;
  }
  return out;
}

/** The first value of an attribute, if any. */
export function getAttribute(packet: RadiusPacket, type: number): Buffer | undefined {
  return packet.attributes.find((a) => a.type === type)?.value;
}

export function getAttributes(packet: RadiusPacket, type: number): Buffer[] {
  return packet.attributes.filter((a) => a.type === type).map((a) => a.value);
}

/**
 * Offsets of the values of every attribute of `type` in an encoded packet, for in-place signing and checking. Walks only
 * up to the Length field and stops at the first broken header (decode() has refused such packets already).
 */
export function attributeValueOffsets(raw: Buffer, type: number): number[] {
  const offsets: number[] = [];
  const length = Math.min(raw.length, raw.length >= 4 ? raw.readUInt16BE(2) : 0);
  let offset = HEADER_LENGTH;
  while (offset + 2 <= length) {
    const attrLength = raw[offset + 1]!;
    if (attrLength < 2 || offset + attrLength > length) break;
    if (raw[offset] === type) offsets.push(offset + 2);
    offset += attrLength;
  }
  return offsets;
}
