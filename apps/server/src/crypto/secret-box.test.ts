import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSecretKey, parseSecretKey, SecretBox, SecretBoxError } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never repeats a ciphertext', () => {
    const a = box.seal('private key', 'signing_key:k1');
    const b = box.seal('private key', 'signing_key:k1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('private');
    expect(box.open(a, 'signing_key:k1').toString()).toBe('private key');
  });

  it('refuses another context, another key, and tampering', () => {
    const sealed = box.seal('private key', 'signing_key:k1');
    expect(() => box.open(sealed, 'signing_key:k2')).toThrow(SecretBoxError);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'signing_key:k1')).toThrow(
      /not the key it was sealed with/,
    );
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0]! ^= 1;
    expect(() => box.open(`${parts[0]}.${parts[1]}.${body.toString('base64url')}`, 'signing_key:k1')).toThrow(
      SecretBoxError,
    );
    for (const junk of ['', 'v1', 'v1..', 'v2.aaaa.bbbb', 'v1.short.x']) {
      expect(() => box.open(junk, 'x')).toThrow(SecretBoxError);
    }
  });
});

describe('secret key sources', () => {
  it('accepts 32 bytes as hex, base64 and base64url only', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
    expect(parseSecretKey('too short')).toBeUndefined();
    expect(parseSecretKey(randomBytes(16).toString('hex'))).toBeUndefined();
  });

  it('creates DATA_DIR/secret.key once, private to the owner, and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-key-'));
    const first = loadSecretKey({ dataDir: dir });
    const second = loadSecretKey({ dataDir: dir });
    expect(second).toEqual(first);
    expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    fs.writeFileSync(path.join(dir, 'secret.key'), 'garbage');
    expect(() => loadSecretKey({ dataDir: dir })).toThrow(/does not hold a 32-byte key/);
    fs.rmSync(dir, { recursive: true });
  });
});
