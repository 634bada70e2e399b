import { describe, expect, it } from 'vitest';
import { Attr, integerValue, ipaddrValue, textValue } from './attributes';
import { Code, decode, encode, getAttribute, RadiusDecodeError, tryDecode } from './packet';
import { RFC2865_7_1_ACCEPT, RFC2865_7_1_REQUEST, RFC2865_7_2_REQUEST, seededRandom } from './test-support';

function decodeError(datagram: Buffer): string {
  try {
    decode(datagram);
  } catch (error) {
    expect(error).toBeInstanceOf(RadiusDecodeError);
    return (error as RadiusDecodeError).code;
  }
  throw new Error('decoded a packet that should have been refused');
}

describe('decode', () => {
  it('reads the RFC 2865 §7.1 Access-Request field by field', () => {
    const packet = decode(RFC2865_7_1_REQUEST);
    expect(packet.code).toBe(Code.AccessRequest);
    expect(packet.identifier).toBe(0);
    expect(packet.authenticator.toString('hex')).toBe('0f403f9473978057bd83d5cb98f4227a');
    expect(packet.attributes.map((a) => [a.type, a.value.toString('hex')])).toEqual([
      [Attr.UserName, '6e656d6f'],
      [Attr.UserPassword, '0dbe708d93d413ce3196e43f782a0aee'],
      [Attr.NasIpAddress, 'c0a80110'],
      [Attr.NasPort, '00000003'],
    ]);
    expect(textValue(getAttribute(packet, Attr.UserName)!)).toBe('nemo');
    expect(ipaddrValue(getAttribute(packet, Attr.NasIpAddress)!)).toBe('192.168.1.16');
    expect(integerValue(getAttribute(packet, Attr.NasPort)!)).toBe(3);
  });

  it('reads the RFC 2865 §7.1 Access-Accept', () => {
    const packet = decode(RFC2865_7_1_ACCEPT);
    expect(packet.code).toBe(Code.AccessAccept);
    expect(packet.identifier).toBe(0);
    expect(packet.authenticator.toString('hex')).toBe('86fe220e7624ba2a1005f6bf9b55e0b2');
    expect(packet.attributes.map((a) => [a.type, a.value.toString('hex')])).toEqual([
      [Attr.ServiceType, '00000001'],
      [15, '00000000'],
      [14, 'c0a80103'],
    ]);
  });

  it('reads the RFC 2865 §7.2 CHAP Access-Request', () => {
    const packet = decode(RFC2865_7_2_REQUEST);
    expect(packet.code).toBe(Code.AccessRequest);
    expect(packet.identifier).toBe(1);
    expect(packet.authenticator.toString('hex')).toBe('2aee86f08d0d55969ca5978e0d3367a2');
    expect(packet.attributes.map((a) => [a.type, a.value.toString('hex')])).toEqual([
      [Attr.UserName, '666c6f707379'],
      [Attr.ChapPassword, '16e97557c316185895f293ff6344077275'],
      [Attr.NasIpAddress, 'c0a80110'],
      [Attr.NasPort, '00000014'],
      [Attr.ServiceType, '00000002'],
      [7, '00000001'],
    ]);
    expect(textValue(getAttribute(packet, Attr.UserName)!)).toBe('flopsy');
    expect(getAttribute(packet, Attr.ChapPassword)![0]).toBe(0x16);
    expect(integerValue(getAttribute(packet, Attr.NasPort)!)).toBe(20);
  });

  it('ignores octets after the Length field as padding (RFC 2865 §3)', () => {
    const padded = Buffer.concat([RFC2865_7_1_REQUEST, Buffer.from([1, 2, 3, 4, 5])]);
    expect(decode(padded)).toEqual(decode(RFC2865_7_1_REQUEST));
  });

  it('copies attribute values so the receive buffer can be reused', () => {
    const datagram = Buffer.from(RFC2865_7_1_REQUEST);
    const packet = decode(datagram);
    datagram.fill(0);
    expect(textValue(packet.attributes[0]!.value)).toBe('nemo');
  });

  it('refuses each kind of malformed datagram with its own code', () => {
    const base = RFC2865_7_1_REQUEST;
    const withLength = (datagram: Buffer, length: number) => {
      const copy = Buffer.from(datagram);
      copy.writeUInt16BE(length, 2);
      return copy;
    };
    expect(decodeError(base.subarray(0, 19))).toBe('too_short');
    expect(decodeError(Buffer.alloc(0))).toBe('too_short');
    expect(decodeError(Buffer.concat([withLength(base, 4096), Buffer.alloc(4097 - base.length)]))).toBe('too_long');
    expect(decodeError(withLength(base, 19))).toBe('length_field_invalid');
    expect(decodeError(Buffer.concat([withLength(base, 4097), Buffer.alloc(100)]))).toBe('length_field_invalid');
    expect(decodeError(withLength(base, base.length + 1))).toBe('truncated');
    const statusServer = Buffer.from(base);
    statusServer[0] = 12;
    expect(decodeError(statusServer)).toBe('unknown_code');
    expect(decodeError(Buffer.concat([withLength(base, base.length + 1), Buffer.of(1)]))).toBe(
      'attribute_header_overflow',
    );
    const zeroLength = Buffer.from(base);
    zeroLength[21] = 0;
    expect(decodeError(zeroLength)).toBe('attribute_too_short');
    const oneLength = Buffer.from(base);
    oneLength[21] = 1;
    expect(decodeError(oneLength)).toBe('attribute_too_short');
    const overflow = Buffer.from(base);
    overflow[base.length - 5] = 7; // NAS-Port claims one octet more than the packet holds
    expect(decodeError(overflow)).toBe('attribute_overflow');
  });

  it('throws nothing but RadiusDecodeError for 20,000 random and mutated datagrams', () => {
    const random = seededRandom(2865);
    const byte = () => Math.floor(random() * 256);
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      let datagram: Buffer;
      if (i % 2 === 0) {
        datagram = Buffer.from(Array.from({ length: Math.floor(random() * 120) }, byte));
        if (datagram.length >= 4 && random() < 0.5) datagram.writeUInt16BE(datagram.length, 2);
      } else {
        datagram = Buffer.from(i % 4 === 1 ? RFC2865_7_1_REQUEST : RFC2865_7_2_REQUEST);
        const flips = 1 + Math.floor(random() * 3);
        for (let n = 0; n < flips; n++) datagram[Math.floor(random() * datagram.length)] = byte();
      }
      const result = tryDecode(datagram);
      if (result.ok) decoded++;
      else refused++;
    }
    expect(decoded + refused).toBe(20_000);
    expect(decoded).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});

describe('encode', () => {
  it('writes the RFC packets back byte for byte', () => {
    for (const datagram of [RFC2865_7_1_REQUEST, RFC2865_7_1_ACCEPT, RFC2865_7_2_REQUEST]) {
      expect(encode(decode(datagram)).equals(datagram)).toBe(true);
    }
  });

  it('refuses values over 253 octets and packets over 4096', () => {
    expect(() =>
      encode({ code: Code.AccessAccept, identifier: 1, attributes: [{ type: 18, value: Buffer.alloc(254) }] }),
    ).toThrow(RangeError);
    const full = Array.from({ length: 15 }, () => ({ type: 18, value: Buffer.alloc(253) }));
    const exactly4096 = [...full, { type: 18, value: Buffer.alloc(249) }];
    expect(encode({ code: Code.AccessAccept, identifier: 1, attributes: exactly4096 }).length).toBe(4096);
    const oneOver = [...full, { type: 18, value: Buffer.alloc(250) }];
    expect(() => encode({ code: Code.AccessAccept, identifier: 1, attributes: oneOver })).toThrow(/4097 octets/);
  });
});
