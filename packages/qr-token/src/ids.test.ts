import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compactUuid, expandUuid } from './ids';

describe('compactUuid / expandUuid', () => {
  it('encodes the 16 UUID bytes as 22 base64url characters', () => {
    expect(compactUuid('00000000-0000-0000-0000-000000000000')).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(compactUuid('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe('_____________________w');
    for (let i = 0; i < 200; i++) {
      const uuid = randomUUID();
      const bytes = Buffer.from(uuid.replaceAll('-', ''), 'hex');
      expect(compactUuid(uuid)).toBe(bytes.toString('base64url'));
    }
  });

  it('round-trips to the canonical lowercase form', () => {
    for (let i = 0; i < 200; i++) {
      const uuid = randomUUID();
      expect(expandUuid(compactUuid(uuid)!)).toBe(uuid);
    }
    const upper = 'C3D4E5F6-A7B8-4C9D-8E0F-1A2B3C4D5E6F';
    expect(expandUuid(compactUuid(upper)!)).toBe(upper.toLowerCase());
  });

  it.each([
    '',
    'not-a-uuid',
    'c3d4e5f6a7b84c9d8e0f1a2b3c4d5e6f',
    '{c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f}',
    'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f0',
    'g3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
    ' c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
    'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f\n',
  ])('compactUuid rejects %j', (input) => {
    expect(compactUuid(input)).toBeNull();
  });

  it.each([
    '',
    'AAAAAAAAAAAAAAAAAAAAA', // 21 characters
    'AAAAAAAAAAAAAAAAAAAAAAA', // 23 characters
    'AAAAAAAAAAAAAAAAAAAA+A', // base64, not base64url
    'AAAAAAAAAAAAAAAAAAAA/A',
    'AAAAAAAAAAAAAAAAAAAAAA==',
    'AAAAAAAAAAAAAAAAAAAA.A',
    'AAAAAAAAAAAAAAAAAAAAAB', // trailing bits set: a second spelling of the nil UUID
    'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
  ])('expandUuid rejects %j', (input) => {
    expect(expandUuid(input)).toBeNull();
  });

  it('rejects non-string input without throwing', () => {
    for (const input of [null, undefined, 42, {}, ['AAAAAAAAAAAAAAAAAAAAAA']]) {
      expect(compactUuid(input as unknown as string)).toBeNull();
      expect(expandUuid(input as unknown as string)).toBeNull();
    }
  });
});
