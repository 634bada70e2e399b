import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacMd5Into, hmacMd5Key, md5, zeros } from './md5';
import { seededRandom } from './test-support';

// node:crypto (OpenSSL) is the reference: every length around the block and padding boundaries, random contents,
// the input split into slices at random points, and keys shorter and longer than a block.
const random = seededRandom(5176);
const bytes = (length: number) => Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));

describe('md5', () => {
  it('matches RFC 1321’s test suite', () => {
    expect(md5({ data: Buffer.from('') }).toString('hex')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5({ data: Buffer.from('abc') }).toString('hex')).toBe('900150983cd24fb0d6963f7d28e17f72');
    const digits = '12345678901234567890123456789012345678901234567890123456789012345678901234567890';
    expect(md5({ data: Buffer.from(digits) }).toString('hex')).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });

  it('matches node:crypto for every length up to 300 octets, fed whole or in slices', () => {
    for (let length = 0; length <= 300; length++) {
      const data = bytes(length);
      const expected = createHash('md5').update(data).digest('hex');
      expect(md5({ data }).toString('hex')).toBe(expected);
      const cut = Math.floor(random() * (length + 1));
      expect(md5({ data, end: cut }, { data, start: cut }).toString('hex')).toBe(expected);
    }
  });

  it('feeds zeros in place of a field', () => {
    const data = bytes(40);
    const zeroed = Buffer.from(data);
    zeroed.fill(0, 4, 20);
    expect(
      md5({ data, end: 4 }, zeros(16), { data, start: 20 }).equals(createHash('md5').update(zeroed).digest()),
    ).toBe(true);
  });
});

describe('hmacMd5', () => {
  it('matches node:crypto for keys of 1 to 100 octets and messages of 0 to 200', () => {
    for (let round = 0; round < 400; round++) {
      const key = bytes(1 + Math.floor(random() * 100));
      const message = bytes(Math.floor(random() * 201));
      const out = Buffer.alloc(20);
      hmacMd5Into(hmacMd5Key(key), [{ data: message }], out, 2);
      expect(out.subarray(2, 18).toString('hex')).toBe(createHmac('md5', key).update(message).digest('hex'));
    }
  });

  it('matches RFC 2104’s example', () => {
    const out = Buffer.alloc(16);
    hmacMd5Into(hmacMd5Key(Buffer.from('Jefe')), [{ data: Buffer.from('what do ya want for nothing?') }], out);
    expect(out.toString('hex')).toBe('750c783e6ab0b503eaa86e310a5db738');
  });
});
